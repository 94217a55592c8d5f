// The partitions table: sortable by any column, filtered by text, kept current by the feed. The
// feed's snapshot draws the whole table once; a pushed change then redraws only the rows it names
// (each moved to its sorted place), so a change among 1000 partitions costs one row, not 1000.
// On the first load the rows of the first screen are drawn (and painted) first and the others in
// pieces after, a frame apart: laying out 1000 rows at once kept the page blank and deaf for
// hundreds of ms.
import { announce, el } from './api.js';
import { subscribe } from './feed.js';
import * as spark from './sparkline.js';

const COLUMNS = [
  ['name', 'Name'], ['lpar_id', 'ID', 'num'], ['state', 'State'], ['lpar_env', 'Environment', 'hide-narrow'],
  ['proc_units', 'Units', 'num'], ['use', 'Units used (3 min)', 'spark hide-narrow'], ['procs', 'VPs', 'num hide-narrow'],
  ['mem', 'Memory (MB)', 'num'], ['mem_use', 'Memory now (MB, 3 min)', 'spark hide-narrow'],
  ['refcode', 'Reference code', 'hide-narrow']];
const NUMERIC = new Set(['lpar_id', 'proc_units', 'procs', 'mem', 'use', 'mem_use']);
const USE = COLUMNS.findIndex(c => c[0] === 'use');
const MEM_USE = COLUMNS.findIndex(c => c[0] === 'mem_use');
const FIRST_ROWS = 50; // more than a tall screen shows
const MORE_ROWS = 100; // per piece after: each a short task, so clicks and keys are served between them
let sort = { key: 'lpar_id', up: true };
let filter = '';
let unsubscribe = null;

let unfollow = null;
export function leave() {
  if (unsubscribe) unsubscribe(); unsubscribe = null;
  if (unfollow) unfollow(); unfollow = null;
}

function use(r) {
  const v = spark.latest(r.lpar_id);
  // a partition that is not running gets an empty cell: 1000 of them must not cost 1000 drawings
  if (v === null) return el('td', { class: 'spark hide-narrow', 'data-used': '' });
  return el('td', { class: 'spark hide-narrow', 'data-used': v.toFixed(2) },
    spark.svg(spark.series(r.lpar_id), Number(r.proc_units) || 0, v.toFixed(2) + ' units used now'), ' ' + v.toFixed(2));
}

function memUse(r) {
  const v = spark.memLatest(r.lpar_id);
  if (v === null) return el('td', { class: 'spark mem hide-narrow', 'data-mem': '' });
  const values = spark.memSeries(r.lpar_id);
  return el('td', { class: 'spark mem hide-narrow', 'data-mem': String(v) },
    spark.svg(values, Math.max(...values) * 1.25, v + ' MB now', 'mem'), ' ' + v);
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = v => String(v ?? '').replace(/[&<>"']/g, c => ESCAPES[c]);

// One row as markup: parsed by the browser in one go, which is what makes 1000 rows cheap to draw.
// Every value is escaped; the sparkline cells start empty and are filled for running partitions.
function rowHtml(r) {
  let h = '<tr data-name="' + esc(r.name) + '">';
  for (const [key, , cls] of COLUMNS) {
    if (key === 'name') h += '<td title="' + esc(r.name) + '"><a href="#/partition/' + esc(encodeURIComponent(r.name)) + '">'
      + esc(r.name) + '</a></td>';
    else if (key === 'use') h += '<td class="spark hide-narrow" data-used=""></td>';
    else if (key === 'mem_use') h += '<td class="spark mem hide-narrow" data-mem=""></td>';
    else h += '<td class="' + esc((cls || '') + (key === 'state' ? ' state-' + r.state : '')) + '">' + esc(r[key]) + '</td>';
  }
  return h + '</tr>';
}

function sparks(tr, r) {
  const had = tr.children[USE].dataset.used !== '' || tr.children[MEM_USE].dataset.mem !== '';
  if (!had && spark.latest(r.lpar_id) === null && spark.memLatest(r.lpar_id) === null) return;
  tr.children[USE].replaceWith(use(r));
  tr.children[MEM_USE].replaceWith(memUse(r));
}

export function show(container) {
  const tbody = el('tbody');
  const count = el('p', { class: 'muted', id: 'partition-count' });
  const headers = COLUMNS.map(([key, label, cls]) => el('th', { scope: 'col', class: cls, 'data-key': key },
    el('button', { type: 'button', onclick: () => { sort = { key, up: sort.key === key ? !sort.up : true }; draw(); } }, label)));
  const input = el('input', { id: 'partition-filter', type: 'search', value: filter,
    oninput: ev => { filter = ev.target.value.toLowerCase(); draw(); } });
  container.append(el('h1', {}, 'Partitions'),
    el('label', { for: 'partition-filter' }, 'Filter (name, state, environment, reference code)'), input, count,
    el('div', { class: 'table-wrap' }, el('table', { id: 'partitions' },
      el('caption', { class: 'sr-only' }, 'Logical partitions, updated live'),
      el('thead', {}, el('tr', {}, headers)), tbody)));
  let rows = new Map();
  let shown = []; // the rows on screen, in their order
  const trs = new Map(); // lpar_id -> its <tr>

  const matches = r => !filter || [r.name, r.state, r.lpar_env, r.refcode].some(v => (v || '').toLowerCase().includes(filter));
  function value(r, k) {
    return k === 'use' ? (spark.latest(r.lpar_id) || 0) : k === 'mem_use' ? (spark.memLatest(r.lpar_id) || 0)
      : NUMERIC.has(k) ? Number(r[k]) || 0 : String(r[k] ?? '');
  }
  function compare(a, b) {
    const k = sort.key;
    const c = NUMERIC.has(k) ? value(a, k) - value(b, k) : value(a, k).localeCompare(value(b, k));
    // the ID breaks ties, so a row put back in its place lands where a full sort would put it
    return (c || Number(a.lpar_id) - Number(b.lpar_id)) * (sort.up ? 1 : -1);
  }
  function counted() { count.textContent = shown.length + ' of ' + rows.size + ' partitions'; }

  let drawn = 0; // rows of `shown` on screen: all of them, but while a first draw is under way
  let drawing = 0; // the draw under way: a later draw ends an earlier one's pieces

  /** Appends shown[drawn .. to) to the table body. */
  function append(to) {
    const part = shown.slice(drawn, to);
    tbody.insertAdjacentHTML('beforeend', part.map(rowHtml).join(''));
    let tr = tbody.children[tbody.children.length - part.length];
    for (const r of part) { trs.set(String(r.lpar_id), tr); sparks(tr, r); tr = tr.nextElementSibling; }
    drawn = to;
  }

  // after the next frame (painted), or a moment if the page has no frames (hidden)
  function afterFrame(f) {
    let done = false;
    const once = () => { if (!done) { done = true; setTimeout(f); } };
    requestAnimationFrame(once);
    setTimeout(once, 100);
  }

  /** All rows, sorted and filtered; `pieces`: the first screen at once and the rest after it. */
  function draw(pieces) {
    for (const th of headers) {
      th.setAttribute('aria-sort', th.dataset.key === sort.key ? (sort.up ? 'ascending' : 'descending') : 'none');
    }
    shown = [...rows.values()].filter(matches).sort(compare);
    tbody.replaceChildren();
    trs.clear();
    drawn = 0;
    const mine = ++drawing;
    append(pieces ? Math.min(FIRST_ROWS, shown.length) : shown.length);
    counted();
    const more = () => {
      if (mine !== drawing || !tbody.isConnected) return; // redrawn since, or the page was left
      append(Math.min(drawn + MORE_ROWS, shown.length));
      if (drawn < shown.length) afterFrame(more); else drawnAll();
    };
    if (drawn < shown.length) afterFrame(more); else drawnAll();
  }

  /** The rows a first draw has not reached yet, at once: before a change moves rows around. */
  function finish() {
    if (drawn < shown.length) { drawing++; append(shown.length); drawnAll(); }
  }

  function drop(id) {
    const i = shown.findIndex(r => String(r.lpar_id) === String(id));
    if (i >= 0) shown.splice(i, 1);
    const tr = trs.get(String(id));
    if (tr) { tr.remove(); trs.delete(String(id)); }
  }

  function place(r) {
    let lo = 0, hi = shown.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (compare(shown[mid], r) < 0) lo = mid + 1; else hi = mid; }
    shown.splice(lo, 0, r);
    const t = document.createElement('template');
    t.innerHTML = rowHtml(r);
    const tr = t.content.firstElementChild;
    sparks(tr, r);
    trs.set(String(r.lpar_id), tr);
    tbody.insertBefore(tr, lo + 1 < shown.length ? trs.get(String(shown[lo + 1].lpar_id)) : null);
  }

  /** Only the rows named: each removed, and put back in its sorted place if it still passes the filter. */
  function update(changed, removed) {
    finish();
    for (const id of removed) drop(id);
    for (const r of changed) {
      drop(r.lpar_id);
      if (matches(r)) place(r);
    }
    drawn = shown.length; // every row is on screen since finish()
    counted();
  }

  // new figures every few seconds: only the rows with sparklines change, unless the table sorts by them
  unfollow = spark.follow(() => {
    if (sort.key === 'use' || sort.key === 'mem_use') { draw(); return; }
    for (const r of shown) { const tr = trs.get(String(r.lpar_id)); if (tr) sparks(tr, r); }
  });
  // for the benchmark (WebFirstLoadBench), in ms since navigation start: the first screen of rows
  // drawn, then painted (the page usable: the task after the next frame), and every row drawn
  function drawnAll() {
    if (window.parvirtTableAt === undefined) window.parvirtTableAt = performance.now();
  }

  unsubscribe = subscribe((all, changed, removed) => {
    rows = all;
    const t0 = performance.now();
    if (changed) update(changed, removed); else draw(true);
    const t1 = performance.now();
    // and what drawing the first rows, or applying a pushed change, cost the page itself
    if (!changed && window.parvirtFirstRowsAt === undefined) {
      window.parvirtFirstRowsAt = t1; window.parvirtDrawMs = t1 - t0;
      afterFrame(() => { window.parvirtPaintedAt = performance.now(); });
    }
    if (changed) {
      for (const r of changed) announce(r.name + ' is ' + r.state);
      window.parvirtLastChangeAt = t1;
      (window.parvirtChangeMs = window.parvirtChangeMs || []).push(t1 - t0);
    }
  });
}
