// One EventSource for the whole page (GET /api/v1/feed): a snapshot of every partition's row, then
// only the rows that changed. Pages subscribe to it; nothing polls. The server ends the stream when
// the login ends (logout in another tab, the idle timeout): the page then asks for a login at once.
import { api, onLoggedOut } from './api.js';

const rows = new Map();
const listeners = new Set();
let source = null;
let snapshot = false; // the current stream's snapshot came (an empty table is a table too)

function notify(changed, removed) { for (const f of listeners) f(rows, changed, removed); }

function open() {
  performance.mark('parvirt-feed-open');
  source = new EventSource('/api/v1/feed');
  source.addEventListener('snapshot', ev => {
    performance.mark('parvirt-snapshot'); // for WebFirstLoadBench: when the daemon's table arrived
    rows.clear();
    for (const r of JSON.parse(ev.data)) rows.set(r.lpar_id, r);
    snapshot = true;
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
    if (!listeners.size) { if (source === mine) stop(); return; } // opened ahead of a login that is not there
    try {
      await api('GET', '/api/v1/session', undefined, { background: true });
    } catch (e) {
      if (e.status === 401) { onLoggedOut(); return; }
    }
    // still logged in (the daemon restarted, say): open again while a page follows the feed
    setTimeout(() => { if (source === mine && listeners.size) open(); }, 2000);
  });
}

function stop() { source.close(); source = null; snapshot = false; rows.clear(); }

export function subscribe(f) {
  listeners.add(f);
  if (!source) open(); else if (snapshot) f(rows, null, []);
  return () => {
    listeners.delete(f);
    if (!listeners.size && source) stop();
  };
}

/** Opens the stream before a page subscribes (a first load asks for the login and the table at once). */
export function prefetch() { if (!source) open(); }

/** A stream opened ahead that no page follows is closed. */
export function release() { if (!listeners.size && source) stop(); }

// A page left for another keeps its stream open while the browser caches it (back/forward cache), and
// HTTP/1.1 allows six connections per host: a few such pages starve the next one. Close on leaving,
// reopen on coming back.
window.addEventListener('pagehide', () => { if (source) { source.close(); source = null; snapshot = false; } });
window.addEventListener('pageshow', ev => { if (ev.persisted && listeners.size && !source) open(); });
