// The partition's serial console in a terminal (xterm.js, served from the jar) over a WebSocket:
// guest output goes to the terminal, and what the terminal produces (keys, and its answers to the
// guest's queries such as the cursor position, ESC [ 6 n) goes to the guest. One browser (or mkvterm)
// holds the keyboard; others watch read-only and may take the keyboard over.
import { el, announce } from './api.js';

let loading = null;
/** xterm.js and its styles, fetched the first time a console opens (no other page needs them). */
function loadTerminal() {
  if (window.Terminal) return Promise.resolve();
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.append(el('link', { rel: 'stylesheet', href: '/vendor/xterm/xterm.css' }),
        el('script', { src: '/vendor/xterm/xterm.js', onload: resolve,
          onerror: () => { loading = null; reject(new Error('xterm.js did not load')); } }));
    });
  }
  return loading;
}

/**
 * Opens the console of `name`. mode: undefined (the keyboard if free, else watch), 'view' or 'take'.
 * Returns { view, close }.
 */
export function open(name, mode) {
  const box = el('div', { id: 'console-out', class: 'console', role: 'region', 'aria-label': 'Console of ' + name });
  const status = el('p', { id: 'console-status', class: 'muted', 'aria-live': 'polite' }, 'Connecting…');
  const holder = el('p', { id: 'console-holder', class: 'muted' });
  const take = el('button', { type: 'button', id: 'console-take', hidden: true }, 'Take the keyboard');
  const view = el('div', { id: 'console' }, status, holder, take, box);
  let term = null, ws = null, keyboard = false, closedByUs = false;

  function connect(m) {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    ws = new WebSocket(scheme + location.host + '/api/v1/partitions/' + encodeURIComponent(name) + '/vterm'
      + (m ? '?mode=' + m : ''));
    ws.binaryType = 'arraybuffer';
    const mine = ws;
    ws.onmessage = ev => {
      if (typeof ev.data !== 'string') { term.write(new Uint8Array(ev.data)); return; }
      const c = JSON.parse(ev.data);
      if (c.mode) {
        keyboard = c.mode === 'keyboard';
        status.textContent = keyboard ? 'Connected: you have the keyboard.' : 'Connected read-only: you are watching.';
        status.dataset.mode = c.mode;
        take.hidden = keyboard;
        if (keyboard) term.focus();
      }
      if (c.holder) holder.textContent = keyboard ? '' : 'Keyboard: ' + c.holder;
      if (c.holder && !c.mode) announce('The console keyboard is now with ' + c.holder);
    };
    ws.onclose = ev => {
      if (mine !== ws || closedByUs) return;
      // the keyboard was taken over (or rmvterm ended us): keep watching if the console is still there
      if (keyboard) { keyboard = false; status.textContent = 'Your keyboard session ended; watching read-only…';
        connect('view'); return; }
      status.textContent = 'Closed' + (ev.reason ? ': ' + ev.reason : '.');
      status.dataset.mode = 'closed';
    };
  }
  take.addEventListener('click', () => { const old = ws; ws = null; if (old) old.close(); connect('take'); });
  loadTerminal().then(() => {
    if (closedByUs) return;
    term = new window.Terminal({ rows: 24, cols: 80, fontSize: 14, cursorBlink: true, convertEol: false,
      scrollback: 2000, screenReaderMode: false, tabStopWidth: 8 });
    term.open(box);
    window.parvirtTerm = term; // for the tests and the echo bench: the terminal as the page sees it
    term.onData(d => { if (keyboard && ws && ws.readyState === WebSocket.OPEN) ws.send(d); });
    connect(mode);
  }, e => { status.textContent = 'The terminal could not be loaded: ' + e.message; });
  return { view, close: () => { closedByUs = true; if (ws) ws.close(); if (term) term.dispose(); } };
}
