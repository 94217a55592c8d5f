// One partition: state (live), actions by role, profiles, virtual adapters, events.
import { api, hmc, el, may, announce, session } from './api.js';
import { subscribe } from './feed.js';
import * as vterm from './console.js';
import * as dlpar from './dlpar.js';
import * as mobility from './mobility.js';
import * as util from './utilchart.js';
import { parseLsmap } from './vios.js';

let unsubscribe = null;
let consoleSession = null;
let chart = null;
export function leave() {
  if (unsubscribe) unsubscribe(); unsubscribe = null;
  if (consoleSession) consoleSession.close(); consoleSession = null;
  if (chart) chart.stop(); chart = null;
}

function sysName() { return api('GET', '/api/v1/daemon').then(d => d.system); }

export async function show(container, name) {
  const enc = encodeURIComponent(name);
  const [lpar, profiles, events, system] = await Promise.all([api('GET', '/api/v1/partitions/' + enc),
    api('GET', '/api/v1/partitions/' + enc + '/profiles'), api('GET', '/api/v1/events'), sysName()]);
  const state = el('span', { id: 'lpar-state', class: 'state-' + lpar.state }, lpar.state);
  const refcode = el('span', { id: 'lpar-refcode' }, '');
  const message = el('p', { id: 'action-message', class: 'error', role: 'alert' });
  const canAct = may('CHANGE');
  const why = canAct ? null : 'Your role may look but not act';
  const profileSelect = el('select', { id: 'activate-profile' },
    profiles.map(p => el('option', { value: p.name, selected: p.name === lpar.default_profile }, p.name)));

  async function act(label, work) {
    message.textContent = '';
    try { await work(); announce(label + ' ' + name + ': done'); } catch (e) { message.textContent = e.message; }
  }
  const power = (...args) => hmc(['chsysstate', '-m', system, '-r', 'lpar', '-n', name, ...args]);
  const button = (id, label, onclick, cls) => el('button', { type: 'button', id, class: cls, disabled: !canAct,
    title: why, onclick }, label);
  const confirmDelete = confirmation('delete', 'Delete ' + name + '?',
    'The partition and all its profiles are removed. This cannot be undone.', 'Delete',
    () => act('Delete', async () => { await api('DELETE', '/api/v1/partitions/' + enc); location.hash = '#/partitions'; }));
  const confirmOsShutdown = confirmation('osshutdown', 'Shut down the operating system of ' + name + '?',
    'The operating system is asked to shut down (chsysstate -o osshutdown); work not saved in it is lost.',
    'Shut down the OS', () => act('OS shutdown', () => power('-o', 'osshutdown')));
  // every way of stopping a running system loses what its operating system had not saved: asked first
  const confirmShutdown = confirmation('shutdown', 'Shut down ' + name + '?',
    'The partition is stopped after the delay its operating system is given (chsysstate -o shutdown); work not saved in it is lost.',
    'Shut down', () => act('Shut down', () => power('-o', 'shutdown')));
  const confirmImmed = confirmation('shutdown-immed', 'Shut down ' + name + ' immediately?',
    'The partition is stopped at once, as by pulling the plug (chsysstate -o shutdown --immed); work not saved in it is lost.',
    'Shut down immediately', () => act('Shut down', () => power('-o', 'shutdown', '--immed')));
  const confirmRestart = confirmation('restart', 'Restart ' + name + '?',
    'The partition is stopped at once and started again (chsysstate -o shutdown --immed --restart); work not saved in it is lost.',
    'Restart', () => act('Restart', () => power('-o', 'shutdown', '--immed', '--restart')));
  const dlparDialog = dlpar.dialog(name, system);
  const adapterDialog = dlpar.adapterDialog(name, system);
  const migrateDialog = mobility.dialog(name, system);
  const current = el('div', { id: 'current-adapters' });
  const showCurrent = async () => current.replaceChildren(await currentAdapters(name, system));
  adapterDialog.addEventListener('changed', showCurrent);

  container.append(el('p', {}, el('a', { href: '#/partitions' }, '← Partitions')),
    el('h1', {}, name),
    el('p', {}, 'State: ', state, ' · id ' + lpar.lpar_id + ' · ' + lpar.lpar_env + ' · reference code ', refcode),
    el('section', { 'aria-labelledby': 'actions-h' }, el('h2', { id: 'actions-h' }, 'Actions'),
      canAct ? null : el('p', { class: 'muted', id: 'read-only-note' }, 'Read only: your role (' + session.role + ') cannot change partitions.'),
      el('div', { class: 'actions' },
        el('span', {}, el('label', { for: 'activate-profile' }, 'Profile'), profileSelect),
        button('activate', 'Activate', () => act('Activate', () => power('-o', 'on', '-f', profileSelect.value)), 'primary'),
        button('shutdown', 'Shut down…', () => confirmShutdown.showModal()),
        button('shutdown-immed', 'Shut down immediately…', () => confirmImmed.showModal()),
        button('osshutdown', 'Shut down the OS…', () => confirmOsShutdown.showModal()),
        button('restart', 'Restart…', () => confirmRestart.showModal()),
        button('dlpar-open', 'Change resources…', () => dlparDialog.showModal()),
        button('vio-open', 'Virtual adapters…', () => adapterDialog.showModal()),
        button('migrate-open', 'Migrate…', () => mobility.open(migrateDialog)),
        button('delete', 'Delete…', () => confirmDelete.showModal(), 'danger')), message, confirmDelete, confirmOsShutdown, confirmShutdown, confirmImmed, confirmRestart,
        dlparDialog, adapterDialog, migrateDialog),
    el('section', { 'aria-labelledby': 'console-h' }, el('h2', { id: 'console-h' }, 'Console'),
      el('button', { type: 'button', id: 'open-console', disabled: !may('CONSOLE'),
        title: may('CONSOLE') ? null : 'Your role may not see consoles',
        onclick: ev => {
          if (consoleSession) return;
          consoleSession = vterm.open(name);
          ev.target.after(consoleSession.view);
          ev.target.hidden = true;
        } }, 'Open console')),
    el('section', { 'aria-labelledby': 'profiles-h' }, el('h2', { id: 'profiles-h' }, 'Profiles'),
      el('div', { class: 'table-wrap' }, el('table', { id: 'profiles' },
        el('thead', {}, el('tr', {}, ['Name', 'Mode', 'Units (min/des/max)', 'VPs (min/des/max)', 'Memory MB (min/des/max)']
          .map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, profiles.map(p => el('tr', {}, el('td', {}, p.name + (p.name === lpar.default_profile ? ' (default)' : '')),
          el('td', {}, p.proc_mode + (p.sharing_mode ? ' ' + p.sharing_mode : '')),
          el('td', {}, p.proc_mode === 'shared' ? [p.min_proc_units, p.desired_proc_units, p.max_proc_units].join(' / ') : '—'),
          el('td', {}, [p.min_procs, p.desired_procs, p.max_procs].join(' / ')),
          el('td', {}, [p.min_mem, p.desired_mem, p.max_mem].join(' / ')))))))),
    el('section', { 'aria-labelledby': 'adapters-h' }, el('h2', { id: 'adapters-h' }, 'Virtual adapters'),
      el('h3', {}, 'In the default profile'),
      adapters(profiles.find(p => p.name === lpar.default_profile) || profiles[0] || {}),
      el('h3', {}, 'Now (lshwres; a running partition\'s DLPAR changes included)'), current,
      el('p', {}, el('a', { href: '#/network' }, 'Virtual network picture'), ' · ', el('a', { href: '#/vios' }, 'VIOS picture'))),
    el('section', { 'aria-labelledby': 'util-h' }, el('h2', { id: 'util-h' }, 'Utilization'),
      (chart = util.section('lpar-util', 'lpar', '&lpar=' + enc, rows => {
        const s = util.partitionSeries(rows);
        const lines = [{ name: 'Entitled units', cls: 'entitled', points: s.entitled },
          { name: 'Used units', cls: 'used', points: s.used }, { name: 'Uncapped units (beyond entitlement)', cls: 'uncapped', points: s.uncapped }];
        const last = s.mem.length ? s.mem[s.mem.length - 1][1] : null;
        return [util.chart('lpar-util-chart', lines, 'units', 'Processor units of ' + name + ' over time'), util.legend(lines),
          el('p', { id: 'lpar-util-mem' }, last === null ? 'No samples while running in this window.' : 'Memory: ' + last + ' MB')];
      })).view),
    el('section', { 'aria-labelledby': 'events-h' }, el('h2', { id: 'events-h' }, 'Events'),
      el('ul', { id: 'events' }, events.filter(e => JSON.stringify(e).includes(name)).slice(-20).reverse()
        .map(e => el('li', {}, (e.time || e.created_time || '') + ' ' + (e.text || e.event_text || JSON.stringify(e)))))));

  showCurrent();
  unsubscribe = subscribe(rows => {
    const r = [...rows.values()].find(x => x.name === name);
    if (!r) return;
    if (state.textContent !== r.state) announce(name + ' is ' + r.state);
    state.textContent = r.state; state.className = 'state-' + r.state; refcode.textContent = r.refcode || '—';
  });
}

/** A confirmation dialog (#confirm-ID, buttons #ID-cancel and #ID-confirm); `then` runs on confirming. */
function confirmation(id, title, text, label, then) {
  const d = el('dialog', { id: 'confirm-' + id, 'aria-labelledby': 'confirm-' + id + '-h' },
    el('h2', { id: 'confirm-' + id + '-h' }, title), el('p', {}, text),
    el('form', { method: 'dialog', class: 'actions' }, el('button', { value: 'cancel', id: id + '-cancel' }, 'Cancel'),
      el('button', { value: 'confirm', id: id + '-confirm', class: 'danger' }, label)));
  d.addEventListener('close', () => { if (d.returnValue === 'confirm') then(); });
  return d;
}

/** The partition's adapters as lshwres lists them now (a running partition's, DLPAR included). */
async function currentAdapters(name, system) {
  const [eth, scsi] = await Promise.all([api('GET', '/api/v1/hardware/virtualio?rsubtype=eth&level=lpar'),
    api('GET', '/api/v1/hardware/virtualio?rsubtype=scsi&level=lpar')]);
  const mine = scsi.filter(a => a.lpar_name === name);
  const items = [...eth.filter(a => a.lpar_name === name).map(a => el('li', { 'data-slot': a.slot_num, 'data-kind': 'eth' },
    'Ethernet, slot ' + a.slot_num + ', PVID ' + a.port_vlan_id + (a.addl_vlan_ids ? ', VLANs ' + a.addl_vlan_ids : '')
    + ', switch ' + a.vswitch + (a.is_trunk === '1' ? ', trunk' : '') + ', MAC ' + a.mac_addr)),
  ...mine.map(a => el('li', { 'data-slot': a.slot_num, 'data-kind': 'scsi' },
    'SCSI ' + a.adapter_type + ', slot ' + a.slot_num + ', remote ' + a.remote_lpar_name + ' slot ' + a.remote_slot_num))];
  const devices = await scsiDevices(mine.filter(a => a.adapter_type === 'client'), system);
  return items.length ? el('div', {}, el('ul', {}, items), devices) : el('p', { class: 'muted' }, 'None.');
}

/**
 * What the partition's client SCSI adapters reach: for each, the VIOS, its vhost (the server adapter
 * in the slot the client names), and each virtual target device with its backing device, from the
 * VIOS's lsmap (viosvrcmd: a role that may change partitions; others are told why it is not shown).
 */
async function scsiDevices(clients, system) {
  if (!clients.length) return null;
  const section = el('div', { id: 'scsi-devices' }, el('h4', {}, 'Virtual SCSI devices (lsmap on the VIOS)'));
  if (!may('CHANGE')) {
    section.append(el('p', { class: 'muted' }, 'Your role may not run commands on the VIOS: its mappings are not shown.'));
    return section;
  }
  const rows = [];
  for (const vios of [...new Set(clients.map(a => a.remote_lpar_name))]) {
    let mapped;
    try {
      mapped = parseLsmap(await hmc(['viosvrcmd', '-m', system, '-p', vios, '-c',
        'lsmap -all -dec -fmt : -field svsa physloc clientid vtd backing']));
    } catch (e) {
      rows.push(el('tr', {}, el('td', {}, vios), el('td', { colspan: '3' }, e.message)));
      continue;
    }
    for (const a of clients.filter(c => c.remote_lpar_name === vios)) {
      const v = mapped.find(m => m.slot === String(a.remote_slot_num));
      const targets = v && v.targets.length ? v.targets : [{ vtd: '—', backing: 'nothing mapped' }];
      for (const t of targets) {
        rows.push(el('tr', { 'data-vtd': t.vtd, 'data-vios': vios },
          el('td', {}, vios), el('td', {}, (v ? v.vhost : '—') + ' (slot ' + a.remote_slot_num + ')'),
          el('td', {}, t.backing), el('td', {}, t.vtd)));
      }
    }
  }
  section.append(el('table', {}, el('thead', {}, el('tr', {}, ['VIOS', 'vhost adapter', 'Backing device',
    'Virtual target device'].map(h => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows)));
  return section;
}

/** The profile's virtual Ethernet (slot/ieee/PVID/VLANs/.../switch) and SCSI adapters, as the HMC lists them. */
function adapters(p) {
  // HMC list syntax: entries separated by commas, an entry that holds commas (a VLAN list) is quoted
  const list = (v) => (!v || v === 'none') ? [] : (String(v).match(/"[^"]*"|[^,]+/g) || []).map(e => e.replace(/"/g, ''));
  const eth = list(p.virtual_eth_adapters).map(a => {
    const f = a.split('/');
    return el('li', {}, 'Ethernet, slot ' + f[0] + ', PVID ' + f[2] + (f[3] ? ', VLANs ' + f[3] : '') + (f[6] ? ', switch ' + f[6] : '') + (f[1] === '1' ? ', 802.1Q' : ''));
  });
  const scsi = list(p.virtual_scsi_adapters).map(a => {
    const f = a.split('/');
    return el('li', {}, 'SCSI ' + f[1] + ', slot ' + f[0] + (f[3] ? ', VIOS ' + f[3] : '') + (f[4] ? ' slot ' + f[4] : ''));
  });
  return eth.length + scsi.length ? el('ul', { id: 'adapters' }, eth, scsi) : el('p', { class: 'muted' }, 'None.');
}
