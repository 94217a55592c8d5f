// The partitions table: sortable by any column, filtered by text, kept current by the feed.
import { el, announce } from './api.js';
import { subscribe } from './feed.js';
import * as spark from './sparkline.js';

const COLUMNS = [
  ['name', 'Name'], ['lpar_id', 'ID', 'num'], ['state', 'State'], ['lpar_env', 'Environment', 'hide-narrow'],
  ['proc_units', 'Units', 'num'], ['use', 'Units used (3 min)', 'spark hide-narrow'], ['procs', 'VPs', 'num hide-narrow'],
  ['mem', 'Memory (MB)', 'num'], ['mem_use', 'Memory now (MB, 3 min)', 'spark hide-narrow'],
  ['refcode', 'Reference code', 'hide-narrow']];
const NUMERIC = new Set(['lpar_id', 'proc_units', 'procs', 'mem']);
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
  const label = v === null ? 'no figures (not running)' : v.toFixed(2) + ' units used now';
  return el('td', { class: 'spark hide-narrow', 'data-used': v === null ? '' : v.toFixed(2) },
    spark.svg(spark.series(r.lpar_id), Number(r.proc_units) || 0, label), v === null ? '' : ' ' + v.toFixed(2));
}

function memUse(r) {
  const v = spark.memLatest(r.lpar_id);
  // a partition that is not running gets an empty cell: 1000 of them must not cost 1000 drawings
  if (v === null) return el('td', { class: 'spark mem hide-narrow', 'data-mem': '' });
  const values = spark.memSeries(r.lpar_id);
  return el('td', { class: 'spark mem hide-narrow', 'data-mem': String(v) },
    spark.svg(values, Math.max(...values) * 1.25, v + ' MB now', 'mem'), ' ' + v);
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

  function draw() {
    for (const th of headers) {
      th.setAttribute('aria-sort', th.dataset.key === sort.key ? (sort.up ? 'ascending' : 'descending') : 'none');
    }
    const list = [...rows.values()].filter(r => !filter || [r.name, r.state, r.lpar_env, r.refcode]
      .some(v => (v || '').toLowerCase().includes(filter)));
    const k = sort.key;
    const num = r => k === 'use' ? (spark.latest(r.lpar_id) || 0) : k === 'mem_use' ? (spark.memLatest(r.lpar_id) || 0)
      : Number(r[k]) || 0;
    list.sort((a, b) => (NUMERIC.has(k) || k === 'use' || k === 'mem_use' ? num(a) - num(b)
      : String(a[k]).localeCompare(String(b[k]))) * (sort.up ? 1 : -1));
    const frag = document.createDocumentFragment();
    for (const r of list) {
      frag.append(el('tr', { 'data-name': r.name }, COLUMNS.map(([key, , cls]) => key === 'name'
        ? el('td', {}, el('a', { href: '#/partition/' + encodeURIComponent(r.name) }, r.name))
        : key === 'use' ? use(r) : key === 'mem_use' ? memUse(r) : el('td', { class: (cls || '') + (key === 'state' ? ' state-' + r.state : '') }, r[key]))));
    }
    tbody.replaceChildren(frag);
    count.textContent = list.length + ' of ' + rows.size + ' partitions';
  }

  unfollow = spark.follow(() => draw());
  unsubscribe = subscribe((all, changed, removed) => {
    rows = all;
    draw();
    // for the first-load benchmark: when the whole table is on screen (ms since navigation start)
    if (!changed && window.parvirtTableAt === undefined) window.parvirtTableAt = performance.now();
    if (changed) {
      for (const r of changed) announce(r.name + ' is ' + r.state);
      window.parvirtLastChangeAt = performance.now();
    }
  });
}
