// Create a partition: the profile's attributes grouped as the HMC wizard groups them (partition,
// processors, memory, virtual adapters), checked as they are typed by the server's own rules (POST /api/v1/partitions?validate=only, the mksyscfg path),
// the HSCL message shown next to the field it names.
import { api, el, may } from './api.js';

const GROUPS = [
  ['Partition', [['name', 'Partition name', 'text', ''], ['profile_name', 'Profile name', 'text', 'default'],
    ['lpar_env', 'Environment', ['aixlinux', 'vioserver'], 'aixlinux']]],
  ['Processors', [['proc_mode', 'Processing mode', ['shared', 'ded'], 'shared'],
    ['sharing_mode', 'Sharing mode', ['uncap', 'cap', 'keep_idle_procs', 'share_idle_procs'], 'uncap'],
    ['uncap_weight', 'Uncapped weight', 'number', '128'],
    ['min_proc_units', 'Minimum units', 'number', '0.1'], ['desired_proc_units', 'Desired units', 'number', '0.5'],
    ['max_proc_units', 'Maximum units', 'number', '2.0'], ['min_procs', 'Minimum VPs', 'number', '1'],
    ['desired_procs', 'Desired VPs', 'number', '1'], ['max_procs', 'Maximum VPs', 'number', '2']]],
  ['Memory', [['min_mem', 'Minimum memory (MB)', 'number', '512'], ['desired_mem', 'Desired memory (MB)', 'number', '1024'],
    ['max_mem', 'Maximum memory (MB)', 'number', '2048']]]];
// a virtual adapter row's inputs: [key, label, placeholder]
const ETH = [['slot', 'Slot', '2'], ['pvid', 'Port VLAN ID', '1'], ['vlans', 'Tagged VLANs', 'e.g. 20,30'],
  ['vswitch', 'Switch', 'ETHERNET0']];
const SCSI = [['slot', 'Slot', '3'], ['vios', 'VIOS partition', ''], ['rslot', 'VIOS slot', '2']];
const SHARED_ONLY = ['sharing_mode', 'uncap_weight', 'min_proc_units', 'desired_proc_units', 'max_proc_units'];

/** The rows of one kind of adapter, in the HMC's list syntax (one element per row, as mksyscfg takes them). */
function adapterList(kind, spec, toHmc, onChange) {
  const rows = el('div', { id: 'f-' + kind + '-rows' });
  const error = el('span', { id: 'f-' + kind + '-error', class: 'error', 'aria-live': 'polite' });
  let n = 0;
  const add = () => {
    const i = ++n, inputs = {};
    const row = el('div', { class: 'adapter-row', 'data-adapter': kind },
      spec.map(([key, label, hint]) => {
        const id = `f-${kind}-${i}-${key}`;
        inputs[key] = el('input', { id, placeholder: hint, value: key === 'slot' ? String(1 + i + (kind.includes('scsi') ? 10 : 0)) : '',
          'aria-describedby': error.id });
        return el('div', {}, el('label', { for: id }, label), inputs[key]);
      }),
      el('button', { type: 'button', class: 'remove', onclick: () => { row.remove(); onChange(); } }, 'Remove'));
    row.values = () => Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.value.trim()]));
    rows.append(row);
    inputs.slot.focus();
    onChange();
  };
  const box = el('div', { 'data-field': kind }, rows, error);
  return { box, add, error, input: box, value: () => [...rows.children].map(r => toHmc(r.values())) };
}

export function show(container) {
  const fields = new Map();
  const changed = () => form.dispatchEvent(new Event('change'));
  const eth = adapterList('virtual_eth_adapters', ETH, v => [v.slot, v.vlans ? 1 : 0, v.pvid, v.vlans.replace(/\s+/g, ''), 0, 0]
    .join('/') + (v.vswitch ? '/' + v.vswitch : ''), changed);
  const scsi = adapterList('virtual_scsi_adapters', SCSI, v => [v.slot, 'client', '', v.vios, v.rslot, 0].join('/'), changed);
  const lists = new Map([['virtual_eth_adapters', eth], ['virtual_scsi_adapters', scsi]]);
  const formError = el('p', { id: 'create-error', class: 'error', role: 'alert' });
  const submit = el('button', { type: 'submit', id: 'create-submit', class: 'primary', disabled: !may('CHANGE') }, 'Create');
  const form = el('form', { id: 'create-form', novalidate: true },
    GROUPS.map(([legend, list]) => el('fieldset', {}, el('legend', {}, legend), el('div', { class: 'grid3' },
      list.map(([name, label, type, value]) => {
        const id = 'f-' + name;
        const input = Array.isArray(type)
          ? el('select', { id, name }, type.map(o => el('option', { value: o, selected: o === value }, o)))
          : el('input', { id, name, type: type === 'number' ? 'text' : type, inputmode: type === 'number' ? 'decimal' : null,
            value, 'aria-describedby': id + '-error' });
        const error = el('span', { id: id + '-error', class: 'error', 'aria-live': 'polite' });
        fields.set(name, { input, error });
        return el('div', { 'data-field': name }, el('label', { for: id }, label), input, error);
      })))),
    el('fieldset', { id: 'f-adapters' }, el('legend', {}, 'Virtual adapters'),
      el('h3', {}, 'Virtual Ethernet'), eth.box,
      el('button', { type: 'button', id: 'add-eth', onclick: eth.add }, 'Add a virtual Ethernet adapter'),
      el('h3', {}, 'Virtual SCSI (client of a VIOS)'), scsi.box,
      el('button', { type: 'button', id: 'add-scsi', onclick: scsi.add }, 'Add a virtual SCSI client adapter')),
    formError, submit);
  container.append(el('div', {}, el('h1', {}, 'Create partition'),
    may('CHANGE') ? null : el('p', { class: 'muted' }, 'Read only: your role cannot create partitions.'), form));

  function body() {
    const shared = fields.get('proc_mode').input.value === 'shared';
    const b = {};
    for (const [name, f] of fields) {
      f.input.closest('[data-field]').hidden = !shared && SHARED_ONLY.includes(name);
      if (!shared && SHARED_ONLY.includes(name)) continue;
      if (f.input.value.trim() !== '') b[name] = f.input.value.trim();
    }
    if (!shared) b.sharing_mode = 'keep_idle_procs';
    for (const [name, list] of lists) { const v = list.value(); if (v.length) b[name] = v; }
    return b;
  }

  /** The server's sentence names the attribute it is about: that field gets it, else the form. */
  function showError(message) {
    const all = new Map([...fields, ...lists]);
    for (const f of all.values()) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
    formError.textContent = '';
    if (!message) return;
    // the attribute named first is the one the sentence is about ("The value 512 for attribute min_mem ...")
    let name = null, at = Infinity;
    for (const n of all.keys()) {
      const m = new RegExp('\\b' + n + '\\b').exec(message);
      if (m && m.index < at) { name = n; at = m.index; }
    }
    const f = name && all.get(name);
    if (f && !f.input.closest('[data-field]').hidden) {
      f.error.textContent = message; f.input.setAttribute('aria-invalid', 'true');
    } else {
      formError.textContent = message;
    }
  }

  let timer = null, seq = 0;
  async function validate() {
    const mine = ++seq;
    try {
      await api('POST', '/api/v1/partitions?validate=only', body());
      if (mine === seq) showError(null);
      return true;
    } catch (e) {
      if (mine === seq) showError(e.code ? e.code + ' ' + e.message : e.message);
      return false;
    }
  }
  if (may('CHANGE')) {
    form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(validate, 250); });
    form.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(validate, 0); });
  }
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    clearTimeout(timer);
    try {
      await api('POST', '/api/v1/partitions', body());
      location.hash = '#/partition/' + encodeURIComponent(fields.get('name').input.value.trim());
    } catch (e) {
      showError(e.code ? e.code + ' ' + e.message : e.message);
    }
  });
  body();
}
