// The managed system: processing units and memory (installed, configurable, available, firmware)
// as bars and numbers, its shared processor pools with the units their partitions use now (the
// dispatcher's figures, GET /api/v1/dispatch, every few seconds while the page is shown), and the
// systems this console connects (lssysconn, named from lssyscfg -r sys where they answered; their
// state read again as often).
import { api, el, hmc } from './api.js';
import * as util from './utilchart.js';

let chart = null;
let poolTimer = null;
export function leave() {
  if (chart) chart.stop(); chart = null;
  clearInterval(poolTimer); poolTimer = null;
}

/** Units used now per pool id: the dispatcher's pool figure, else its partitions' sum; null without figures. */
async function poolUse() {
  try {
    const d = await api('GET', '/api/v1/dispatch', undefined, { background: true });
    const used = new Map();
    for (const p of d.partitions || []) {
      if (!p.dedicated) used.set(String(p.poolId), (used.get(String(p.poolId)) || 0) + (Number(p.usedCores) || 0));
    }
    for (const p of d.pools || []) if (p.poolId >= 0) used.set(String(p.poolId), Number(p.usedCores) || 0);
    return used;
  } catch (e) {
    return null; // a role without the whole system's figures: the pools show what they reserve only
  }
}

function showUse(pools, used) {
  for (const pool of pools) {
    const e = document.getElementById('pool-used-' + pool.shared_proc_pool_id);
    if (!e) continue;
    const v = used ? (used.get(pool.shared_proc_pool_id) || 0).toFixed(2) : '';
    e.dataset.used = v;
    e.textContent = used ? 'Used now: ' + v + ' units' + (pool.shared_proc_pool_id === '0' ? ''
      : ' of ' + pool.max_pool_proc_units) : 'Used now: no figures for your role';
  }
}

/** The connected systems: lssysconn's address and state, with the name lssyscfg -r sys gives a reachable one. */
function connections() {
  const section = el('section', { class: 'card', 'aria-labelledby': 'conns-h' }, el('h2', { id: 'conns-h' }, 'Connected systems'));
  let listed = null; // lssysconn's answer as last drawn
  let names = new Map();
  // lssysconn reads this console's own record of each connection (checked in the background, as the
  // HMC checks its connections): read it again on the page's timer and redraw when it changed, so a
  // system that stops answering turns No Connection on the open page. lssyscfg -r sys asks each
  // connected system: only when the list changed, for a name not known yet.
  async function refresh(background) {
    let conns;
    try {
      conns = await hmc(['lssysconn', '-r', 'all', '-F', 'type_model_serial_num,ipaddr,state'], { background });
      if (conns === listed) return;
      const rows = conns.trim().split('\n').filter(l => l && !l.startsWith('No results'));
      if (rows.some(l => !names.has(l.split(',')[0]))) {
        const syss = await hmc(['lssyscfg', '-r', 'sys', '-F', 'name,type_model,serial_num'], { background });
        names = new Map(syss.trim().split('\n').filter(l => l).map(l => l.split(','))
          .map(([name, tm, serial]) => [tm + '*' + serial, name]));
      }
      listed = conns;
      section.replaceChildren(section.firstChild, rows.length ? table(rows)
        : el('p', { class: 'muted', id: 'conns-none' }, 'None (mksysconn connects one).'));
    } catch (e) {
      if (listed === null) section.replaceChildren(section.firstChild, el('p', { class: 'muted' }, e.message));
    }
  }
  function table(rows) {
    return el('table', { id: 'sysconns' }, el('caption', { class: 'sr-only' }, 'Managed system connections'),
      el('thead', {}, el('tr', {}, ['Name', 'Address', 'State'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.map(l => {
        const [mtms, ip, state] = l.split(',');
        return el('tr', { 'data-ip': ip }, el('td', {}, names.get(mtms) || '(not reached)'), el('td', {}, ip),
          el('td', { class: 'state-' + state.replace(/ /g, '_') }, state));
      })));
  }
  return { section, refresh };
}

function meter(label, value, of, unit) {
  const v = Number(value), total = Number(of);
  const pct = total > 0 ? Math.max(0, Math.min(100, 100 * v / total)) : 0;
  // set through the CSSOM: the Content-Security-Policy refuses style attributes written as markup
  const fill = el('span');
  fill.style.width = pct.toFixed(1) + '%';
  return el('div', { class: 'meter' },
    el('span', {}, label),
    el('span', { class: 'bar', role: 'meter', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': String(total),
      'aria-valuenow': String(v) }, fill),
    el('span', { class: 'val' }, value + ' / ' + of + ' ' + unit));
}

function figure(label, value, unit) {
  return el('div', { class: 'meter' }, el('span', {}, label), el('span'), el('span', { class: 'val' }, value + ' ' + unit));
}

export async function show(container) {
  const conns = connections();
  const [sys, proc, mem, pools, used] = await Promise.all([api('GET', '/api/v1/system'),
    api('GET', '/api/v1/hardware/proc?level=sys'), api('GET', '/api/v1/hardware/mem?level=sys'),
    api('GET', '/api/v1/pools'), poolUse(), conns.refresh(false)]);
  const p = proc[0] || {}, m = mem[0] || {};
  const unitsUsed = (Number(p.configurable_sys_proc_units) - Number(p.curr_avail_sys_proc_units)).toFixed(2);
  const memUsed = Number(m.configurable_sys_mem) - Number(m.curr_avail_sys_mem);
  // the HMC defines 64 pools; those never configured (no maximum, no partition) would only be noise
  const shown = pools.filter(pool => pool.shared_proc_pool_id === '0' || pool.lpar_ids !== 'none'
    || Number(pool.max_pool_proc_units) > 0);
  container.append(el('h1', {}, 'Systems'),
    el('div', { class: 'cards' }, el('section', { class: 'card', 'aria-labelledby': 'sys-name' },
      el('h2', { id: 'sys-name' }, sys.name), el('p', { class: 'muted' }, sys.type_model + ' · serial ' + sys.serial_num + ' · ' + sys.state),
      el('h3', {}, 'Processing units'),
      figure('Installed', p.installed_sys_proc_units, 'units'),
      meter('Assigned', unitsUsed, p.configurable_sys_proc_units, 'units'),
      figure('Available', p.curr_avail_sys_proc_units, 'units'),
      el('h3', {}, 'Memory'),
      figure('Installed', m.installed_sys_mem, 'MB'),
      meter('Assigned', memUsed, m.configurable_sys_mem, 'MB'),
      figure('Available', m.curr_avail_sys_mem, 'MB'),
      meter('Firmware', m.sys_firmware_mem, m.configurable_sys_mem, 'MB')),
    el('section', { class: 'card', 'aria-labelledby': 'pools-h' }, el('h2', { id: 'pools-h' }, 'Shared processor pools'),
      shown.map(pool => el('div', {}, el('h3', {}, pool.name + ' (id ' + pool.shared_proc_pool_id + ')'),
          pool.shared_proc_pool_id === '0'
            ? el('p', {}, 'Every shared processing unit not in another pool')
            : meter('Reserved', pool.curr_reserved_pool_proc_units, pool.max_pool_proc_units, 'units'),
          el('p', { id: 'pool-used-' + pool.shared_proc_pool_id, class: 'pool-used' }),
          el('p', { class: 'muted' }, 'Partitions: ' + (pool.lpar_names === 'none' ? 'none' : pool.lpar_names.split(',').join(', '))))),
      el('p', { class: 'muted' }, (pools.length) + ' pools defined; unused ones are not shown.')), conns.section));
  showUse(shown, used);
  poolTimer = setInterval(async () => {
    if (!document.hidden) await Promise.all([poolUse().then(u => showUse(shown, u)), conns.refresh(true)]);
  }, 3000);
  // what running partitions were assigned over time (lslparutil -r sys), against what the system has
  chart = util.section('sys-util', 'sys', '', rows => {
    const s = util.systemSeries(rows);
    const units = [{ name: 'Units assigned', cls: 'used', points: s.units },
      { name: 'Configurable units', cls: 'entitled', points: s.configurable }];
    const memory = [{ name: 'Memory assigned (MB)', cls: 'used', points: s.mem },
      { name: 'Configurable memory (MB)', cls: 'entitled', points: s.configurableMem }];
    return [util.chart('sys-units-chart', units, 'units', 'Processing units assigned over time'), util.legend(units),
      util.chart('sys-mem-chart', memory, 'MB', 'Memory assigned over time'), util.legend(memory)];
  });
  container.append(el('section', { 'aria-labelledby': 'sys-util-h' },
    el('h2', { id: 'sys-util-h' }, 'Utilization (lslparutil samples)'), chart.view));
}
