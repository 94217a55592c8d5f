// One EventSource for the whole page (GET /api/v1/feed): a snapshot of every partition's row, then
// only the rows that changed. Pages subscribe to it; nothing polls. The server ends the stream when
// the login ends (logout in another tab, the idle timeout): the page then asks for a login at once.
import { api, onLoggedOut } from './api.js';

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
  const mine = source;
  source.addEventListener('error', async () => {
    if (mine.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
    try {
      await api('GET', '/api/v1/session', undefined, { background: true });
    } catch (e) {
      if (e.status === 401) { onLoggedOut(); return; }
    }
    // still logged in (the daemon restarted, say): open again while a page follows the feed
    setTimeout(() => { if (source === mine && listeners.size) open(); }, 2000);
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
