// The console event log (lssvcevents -t console through GET /api/v1/events): state changes, the
// audit trail (who ran what from where, refusals too, console take-overs), newest first, filtered
// by text and by category. It reloads when the partitions feed reports a change, not on a timer.
import { api, el } from './api.js';
import { subscribe } from './feed.js';

let unsubscribe = null;
let text = '', category = '';
export function leave() { if (unsubscribe) unsubscribe(); unsubscribe = null; }

export async function show(container) {
  const tbody = el('tbody');
  const count = el('p', { class: 'muted', id: 'event-count' });
  const categories = el('select', { id: 'event-category', onchange: ev => { category = ev.target.value; draw(); } });
  const filter = el('input', { id: 'event-filter', type: 'search', value: text,
    oninput: ev => { text = ev.target.value.toLowerCase(); draw(); } });
  container.append(el('h1', {}, 'Events'),
    el('div', { class: 'actions' },
      el('span', {}, el('label', { for: 'event-filter' }, 'Filter (text, user)'), filter),
      el('span', {}, el('label', { for: 'event-category' }, 'Category'), categories)),
    count,
    el('div', { class: 'table-wrap' }, el('table', { id: 'events-table' },
      el('caption', { class: 'sr-only' }, 'Console events, newest first'),
      el('thead', {}, el('tr', {}, ['Time', 'User', 'Category', 'Event'].map(h => el('th', { scope: 'col' }, h)))),
      tbody)));
  let events = [];

  function draw() {
    const shown = events.filter(e => (!category || e.category === category)
      && (!text || (e.text + ' ' + e.userid).toLowerCase().includes(text)));
    tbody.replaceChildren(...shown.map(e => el('tr', { 'data-category': e.category },
      el('td', {}, e.time), el('td', {}, e.userid), el('td', {}, e.category), el('td', { class: 'wrap' }, e.text))));
    count.textContent = shown.length + ' of ' + events.length + ' events (last 7 days)';
  }

  async function load(background) {
    events = (await api('GET', '/api/v1/events', undefined, { background })).slice().reverse();
    const cats = [...new Set(events.map(e => e.category))].sort();
    categories.replaceChildren(el('option', { value: '' }, 'All'),
      ...cats.map(c => el('option', { value: c, selected: c === category }, c)));
    draw();
  }
  await load(false);
  let first = true;
  unsubscribe = subscribe(() => { if (first) { first = false; return; } load(true); });
}
