// One EventSource for the whole page (GET /api/v1/feed): a snapshot of every partition's row, then
// only the rows that changed. Pages subscribe to it; nothing polls.
const rows = new Map();
const listeners = new Set();
let source = null;

function notify(changed, removed) { for (const f of listeners) f(rows, changed, removed); }

function open() {
  source = new EventSource('/api/v1/feed');
  source.addEventListener('snapshot', ev => {
    rows.clear();
    for (const r of JSON.parse(ev.data)) rows.set(r.lpar_id, r);
    
    notify(null, []);
  });
  source.addEventListener('changes', ev => {
    const c = JSON.parse(ev.data);
    for (const r of c.rows) rows.set(r.lpar_id, r);
    for (const id of c.removed) rows.delete(id);
    notify(c.rows, c.removed);
  });
}

export function subscribe(f) {
  listeners.add(f);
  if (!source) open(); else if (rows.size) f(rows, null, []);
  return () => {
    listeners.delete(f);
    if (!listeners.size && source) { source.close(); source = null; rows.clear(); }
  };
}

// A page left for another keeps its stream open while the browser caches it (back/forward cache), and
// HTTP/1.1 allows six connections per host: a few such pages starve the next one. Close on leaving,
// reopen on coming back.
window.addEventListener('pagehide', () => { if (source) { source.close(); source = null; } });
window.addEventListener('pageshow', ev => { if (ev.persisted && listeners.size && !source) open(); });
