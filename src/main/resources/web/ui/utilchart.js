// Utilization charts over a chosen window, from the samples lslparutil lists (GET
// /api/v1/utilization/{resource}: the sampler's stored records, newest first). A partition's chart
// shows processor units entitled, used and used beyond entitlement (uncapped) per sample interval,
// the cycle counters' differences divided by the elapsed time as an HMC's performance view does; the
// system's shows the processing units and memory assigned to running partitions against what it has.
import { api, el } from './api.js';

const NS = 'http://www.w3.org/2000/svg';
export const WINDOWS = [[10, 'Last 10 minutes'], [60, 'Last hour'], [1440, 'Last day']];

/** lslparutil's time (MM/dd/yyyy HH:mm:ss, the host's zone) in ms; only differences matter here. */
function when(s) {
  const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)$/.exec(s.time || '');
  return m ? new Date(+m[3], m[1] - 1, +m[2], +m[4], +m[5], +m[6]).getTime() : NaN;
}

/** Entitled, used and uncapped units per interval between consecutive samples of one partition. */
export function partitionSeries(samples) {
  const rows = samples.filter(s => s.event_type === 'sample' && s.time_cycles).reverse(); // oldest first
  const out = { entitled: [], used: [], uncapped: [], mem: [] };
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1], b = rows[i];
    const dt = Number(b.time_cycles) - Number(a.time_cycles);
    if (!(dt > 0)) continue; // a restarted partition's counters start again
    const d = k => (Number(b[k]) - Number(a[k])) / dt;
    const t = when(b);
    if (d('entitled_cycles') < 0) continue;
    out.entitled.push([t, d('entitled_cycles')]);
    out.used.push([t, d('capped_cycles') + d('uncapped_cycles')]);
    out.uncapped.push([t, d('uncapped_cycles')]);
    out.mem.push([t, Number(b.curr_mem) || 0]);
  }
  return out;
}

/** Units and memory assigned to running partitions, and what the system can configure. */
export function systemSeries(samples) {
  const rows = samples.filter(s => s.resource_type === 'sys').reverse();
  const out = { units: [], configurable: [], mem: [], configurableMem: [] };
  for (const s of rows) {
    const t = when(s), cu = Number(s.configurable_sys_proc_units), cm = Number(s.configurable_sys_mem);
    out.configurable.push([t, cu]);
    out.units.push([t, cu - Number(s.curr_avail_sys_proc_units)]);
    out.configurableMem.push([t, cm]);
    out.mem.push([t, cm - Number(s.curr_avail_sys_mem)]); // partitions' memory and the firmware's
  }
  return out;
}

/**
 * A line chart of `lines` ([{name, cls, points: [[ms, value]]}]) with a y axis from 0 to the largest
 * value; each line carries its points as data (data-points) and the chart a text alternative.
 */
export function chart(id, lines, unit, label) {
  const w = 640, h = 200, left = 44, bottom = 22, top = 8;
  const all = lines.flatMap(l => l.points);
  const s = document.createElementNS(NS, 'svg');
  s.setAttribute('viewBox', `0 0 ${w} ${h}`); s.setAttribute('class', 'chart'); s.setAttribute('id', id);
  s.setAttribute('role', 'img'); s.setAttribute('aria-label', label + (all.length ? '' : ': no samples in this window'));
  const t0 = Math.min(...all.map(p => p[0])), t1 = Math.max(...all.map(p => p[0]));
  const ymax = Math.max(0.1, ...all.map(p => p[1])) * 1.1;
  const x = t => left + (t1 > t0 ? (t - t0) / (t1 - t0) : 1) * (w - left - 4);
  const y = v => top + (1 - v / ymax) * (h - top - bottom);
  const text = (tx, ty, str, anchor) => {
    const e = document.createElementNS(NS, 'text');
    e.setAttribute('x', tx); e.setAttribute('y', ty); e.setAttribute('text-anchor', anchor || 'end'); e.textContent = str;
    s.append(e);
  };
  const axis = document.createElementNS(NS, 'path');
  axis.setAttribute('d', `M${left},${top}V${h - bottom}H${w - 4}`); axis.setAttribute('class', 'axis');
  s.append(axis);
  for (const f of [0, 0.5, 1]) text(left - 4, y(f * ymax / 1.1) + 4, (f * ymax / 1.1).toFixed(ymax > 20 ? 0 : 2));
  text(left, h - 4, unit, 'start');
  if (all.length) {
    const span = Math.round((t1 - t0) / 60000);
    text(w - 4, h - 4, span ? 'last ' + span + ' min' : 'one sample');
  }
  for (const l of lines) {
    const p = document.createElementNS(NS, 'polyline');
    p.setAttribute('class', 'line ' + l.cls);
    p.setAttribute('data-points', String(l.points.length));
    p.setAttribute('data-last', l.points.length ? l.points[l.points.length - 1][1].toFixed(3) : '');
    p.setAttribute('points', l.points.map(([t, v]) => x(t).toFixed(1) + ',' + y(v).toFixed(1)).join(' '));
    s.append(p);
  }
  return s;
}

export function legend(lines) {
  return el('ul', { class: 'legend' }, lines.map(l => el('li', { class: l.cls }, l.name)));
}

/**
 * A section with a window chooser and `draw(samples, minutes)` → [chart, legend] redrawn on each
 * choice (and every `refreshMs` while it is on screen); returns {view, stop}.
 */
export function section(idPrefix, resource, query, draw, refreshMs = 15000) {
  const select = el('select', { id: idPrefix + '-window' }, WINDOWS.map(([m, label]) =>
    el('option', { value: m, selected: m === 10 }, label)));
  const box = el('div', { id: idPrefix + '-box' });
  async function load(ev) {
    try {
      // a choice in the list is a person's; the timer's refresh is not (it keeps no login alive)
      const rows = await api('GET', '/api/v1/utilization/' + resource + '?minutes=' + select.value + query,
        undefined, { background: !ev });
      box.replaceChildren(...draw(rows));
    } catch (e) {
      box.replaceChildren(el('p', { class: 'error' }, e.message));
    }
  }
  select.addEventListener('change', load);
  load(true);
  const timer = setInterval(() => { if (!document.hidden) load(); }, refreshMs);
  return { view: el('div', {}, el('label', { for: idPrefix + '-window' }, 'Window'), select, box),
    stop: () => clearInterval(timer), reload: load };
}
