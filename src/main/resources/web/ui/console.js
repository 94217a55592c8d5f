// The partition's serial console over a WebSocket (the same session mkvterm opens): guest output
// in a <pre>, keystrokes sent as typed. Plain JavaScript, no terminal emulator yet: escape
// sequences are dropped from the output rather than interpreted.
import { el } from './api.js';

// CSI sequences (ESC [ ... final byte), OSC (ESC ] ... BEL) and two-byte escapes
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[@-Z\\-_]|\r/g;
// Tab is left to the page, so a keyboard user can always move out of the console
const COMPLETE = /^\x1b(\[[0-?]*[ -\/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])/;
const KEYS = { Enter: '\r', Backspace: '\x7f', Escape: '\x1b', ArrowUp: '\x1b[A', ArrowDown: '\x1b[B',
  ArrowRight: '\x1b[C', ArrowLeft: '\x1b[D' };

export function open(name) {
  const out = el('pre', { id: 'console-out', class: 'console', tabindex: '0', 'aria-label': 'Console of ' + name + ': type here',
    'aria-live': 'off' });
  const status = el('p', { id: 'console-status', class: 'muted' }, 'Connecting…');
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const ws = new WebSocket(scheme + location.host + '/api/v1/partitions/' + encodeURIComponent(name) + '/vterm');
  ws.binaryType = 'arraybuffer';
  const decoder = new TextDecoder();
  let pending = '';
  ws.onopen = () => { status.textContent = 'Connected: type in the console; Tab moves out of it.'; out.focus(); };
  ws.onmessage = ev => {
    let text = pending + decoder.decode(new Uint8Array(ev.data), { stream: true });
    pending = '';
    // an escape sequence cut between two frames waits for its end, or it would show half-stripped
    const i = text.lastIndexOf('\x1b');
    if (i >= 0 && text.length - i < 64 && !COMPLETE.test(text.slice(i))) { pending = text.slice(i); text = text.slice(0, i); }
    out.textContent += text.replace(ESCAPES, '');
    if (out.textContent.length > 200000) out.textContent = out.textContent.slice(-100000);
    out.scrollTop = out.scrollHeight;
  };
  ws.onclose = ev => { status.textContent = 'Closed' + (ev.reason ? ': ' + ev.reason : '.'); };
  out.addEventListener('keydown', ev => {
    if (ws.readyState !== WebSocket.OPEN || ev.altKey || ev.metaKey) return;
    let s = null;
    if (ev.ctrlKey && ev.key.length === 1) s = String.fromCharCode(ev.key.toUpperCase().charCodeAt(0) - 64);
    else if (KEYS[ev.key]) s = KEYS[ev.key];
    else if (ev.key.length === 1) s = ev.key;
    if (s !== null) { ev.preventDefault(); ws.send(s); }
  });
  return { view: el('div', {}, status, out), close: () => ws.close() };
}
