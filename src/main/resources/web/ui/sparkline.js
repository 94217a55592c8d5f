// Processor units each running partition consumed, and the memory it runs with, over the last
// minutes, as small SVG lines per row. The processor figures are the dispatcher's (GET
// /api/v1/dispatch: cores used over its last interval), the memory lshwres -r mem --level lpar's
// run_mem (a DLPAR change shows as a step); one request of each for the whole table every few
// seconds while the table is on screen and something runs, none otherwise.
import { api } from './api.js';

const NS = 'http://www.w3.org/2000/svg';
export const POINTS = 60;
export const EVERY_MS = 3000;
const history = new Map(); // lpar_id -> [cores used, oldest first]
const memory = new Map(); // lpar_id -> [MB the running partition has, oldest first]
let timer = null;
const BACKGROUND = { background: true }; // timed, not a person's request: the login is not renewed
let onUpdate = () => {};

async function sample() {
  try {
    const d = await api('GET', '/api/v1/dispatch', undefined, BACKGROUND);
    const had = history.size;
    const seen = new Set();
    for (const p of d.partitions || []) {
      const id = String(p.lparId);
      seen.add(id);
      const h = history.get(id) || [];
      h.push(Number(p.usedCores) || 0);
      if (h.length > POINTS) h.shift();
      history.set(id, h);
    }
    for (const id of history.keys()) if (!seen.has(id)) history.delete(id); // stopped: its line ends
    for (const id of memory.keys()) if (!seen.has(id)) memory.delete(id);
    if (seen.size) {
      for (const m of await api('GET', '/api/v1/hardware/mem?level=lpar', undefined, BACKGROUND)) {
        const id = String(m.lpar_id);
        if (!seen.has(id)) continue;
        const h = memory.get(id) || [];
        h.push(Number(m.run_mem) || 0);
        if (h.length > POINTS) h.shift();
        memory.set(id, h);
      }
    }
    if (had || history.size) onUpdate(history); // nothing running, nothing to redraw
  } catch (e) { /* the next tick tries again */ }
}

/** Starts sampling for `f(history)`; returns the stop function. */
export function follow(f) {
  onUpdate = f;
  sample();
  timer = setInterval(() => { if (!document.hidden) sample(); }, EVERY_MS);
  return () => { clearInterval(timer); timer = null; onUpdate = () => {}; };
}

export function latest(id) { const h = history.get(String(id)); return h && h.length ? h[h.length - 1] : null; }

export function memLatest(id) { const h = memory.get(String(id)); return h && h.length ? h[h.length - 1] : null; }
export function memSeries(id) { return memory.get(String(id)) || []; }

/** An SVG polyline of `values` scaled to `max` (at least 0.1), with a text alternative. */
export function svg(values, max, label, cls) {
  const w = 80, h = 18;
  const s = document.createElementNS(NS, 'svg');
  s.setAttribute('viewBox', '0 0 ' + w + ' ' + h); s.setAttribute('width', w); s.setAttribute('height', h);
  s.setAttribute('class', 'spark'); s.setAttribute('role', 'img'); s.setAttribute('aria-label', label);
  if (!values || !values.length) return s;
  const top = Math.max(0.1, max || 0, ...values);
  // the newest point at the right edge, so a line that has only begun sits next to its figure
  const step = w / (POINTS - 1);
  const pts = values.map((v, i) => (w - (values.length - 1 - i) * step).toFixed(1) + ','
    + (h - 1 - (v / top) * (h - 2)).toFixed(1));
  const line = document.createElementNS(NS, 'polyline');
  line.setAttribute('points', pts.join(' '));
  if (cls) line.setAttribute('class', cls);
  s.append(line);
  return s;
}

export function series(id) { return history.get(String(id)) || []; }
