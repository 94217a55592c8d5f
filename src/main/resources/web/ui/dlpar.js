// Dynamic LPAR from the page: processing units, virtual processors or memory added to or removed
// from a running partition, through chhwres (POST /api/v1/hmc/cli: the same command, role check and
// rules as the HMC's; a refusal's HSCL message is shown in the dialog and nothing changes).
import { hmc, el, announce } from './api.js';

const RESOURCES = [['procunits', 'Processing units', 'proc', '--procunits', '0.1'],
  ['procs', 'Virtual processors', 'proc', '--procs', '1'], ['mem', 'Memory (MB)', 'mem', '-q', '256']];

export function dialog(name, system) {
  const resource = el('select', { id: 'dlpar-resource' }, RESOURCES.map(([v, label]) => el('option', { value: v }, label)));
  const operation = el('select', { id: 'dlpar-operation' }, el('option', { value: 'a' }, 'Add'),
    el('option', { value: 'r' }, 'Remove'));
  const amount = el('input', { id: 'dlpar-amount', inputmode: 'decimal', value: '0.1', 'aria-describedby': 'dlpar-error' });
  const error = el('p', { id: 'dlpar-error', class: 'error', role: 'alert' });
  const apply = el('button', { type: 'submit', id: 'dlpar-apply', class: 'primary' }, 'Apply');
  const d = el('dialog', { id: 'dlpar', 'aria-labelledby': 'dlpar-h' },
    el('h2', { id: 'dlpar-h' }, 'Change the resources of ' + name),
    el('form', { id: 'dlpar-form' },
      el('label', { for: 'dlpar-resource' }, 'Resource'), resource,
      el('label', { for: 'dlpar-operation' }, 'Operation'), operation,
      el('label', { for: 'dlpar-amount' }, 'Amount'), amount, error,
      el('div', { class: 'actions' }, el('button', { type: 'button', id: 'dlpar-cancel', onclick: () => d.close() }, 'Cancel'),
        apply)));
  resource.addEventListener('change', () => { amount.value = RESOURCES.find(r => r[0] === resource.value)[4]; });
  d.querySelector('form').addEventListener('submit', async ev => {
    ev.preventDefault();
    const [, label, r, flag] = RESOURCES.find(x => x[0] === resource.value);
    error.textContent = ''; apply.disabled = true;
    try {
      await hmc(['chhwres', '-m', system, '-r', r, '-o', operation.value, '-p', name, flag, amount.value.trim()]);
      d.close();
      announce(label + ' of ' + name + ' changed');
    } catch (e) {
      error.textContent = e.message;
    } finally {
      apply.disabled = false;
    }
  });
  return d;
}

/**
 * Virtual adapters of a running partition: a virtual Ethernet adapter (port VLAN, tagged VLANs,
 * switch) or a virtual SCSI client adapter (its VIOS and server slot) added, or one removed by slot;
 * chhwres -r virtualio --rsubtype eth|scsi, the HMC's own command and rules.
 */
export function adapterDialog(name, system) {
  const field = (id, label, attrs = {}) => {
    const input = el('input', Object.assign({ id, 'aria-describedby': 'vio-error' }, attrs));
    return [el('div', { 'data-for': id }, el('label', { for: id }, label), input), input];
  };
  const kind = el('select', { id: 'vio-kind' }, el('option', { value: 'eth' }, 'Virtual Ethernet'),
    el('option', { value: 'scsi' }, 'Virtual SCSI client'));
  const operation = el('select', { id: 'vio-operation' }, el('option', { value: 'a' }, 'Add'),
    el('option', { value: 'r' }, 'Remove'));
  const [slotBox, slot] = field('vio-slot', 'Slot', { inputmode: 'numeric', value: '5' });
  const [pvidBox, pvid] = field('vio-pvid', 'Port VLAN ID', { inputmode: 'numeric', value: '1' });
  const [vlansBox, vlans] = field('vio-vlans', 'Tagged VLANs (comma-separated, optional)', { placeholder: 'e.g. 20,30' });
  const [switchBox, vswitch] = field('vio-vswitch', 'Virtual switch (optional)', { placeholder: 'ETHERNET0' });
  const [viosBox, vios] = field('vio-remote', 'VIOS partition');
  const [rslotBox, rslot] = field('vio-remote-slot', 'Server adapter slot on the VIOS', { inputmode: 'numeric' });
  const error = el('p', { id: 'vio-error', class: 'error', role: 'alert' });
  const apply = el('button', { type: 'submit', id: 'vio-apply', class: 'primary' }, 'Apply');
  const d = el('dialog', { id: 'vio-dlpar', 'aria-labelledby': 'vio-h' },
    el('h2', { id: 'vio-h' }, 'Virtual adapters of ' + name),
    el('form', { id: 'vio-form' },
      el('label', { for: 'vio-kind' }, 'Adapter'), kind, el('label', { for: 'vio-operation' }, 'Operation'), operation,
      slotBox, pvidBox, vlansBox, switchBox, viosBox, rslotBox, error,
      el('div', { class: 'actions' }, el('button', { type: 'button', id: 'vio-cancel', onclick: () => d.close() }, 'Cancel'),
        apply)));
  function fit() { // only the fields the chosen adapter and operation take are shown
    const adding = operation.value === 'a', eth = kind.value === 'eth';
    for (const b of [pvidBox, vlansBox, switchBox]) b.hidden = !(adding && eth);
    for (const b of [viosBox, rslotBox]) b.hidden = !(adding && !eth);
  }
  kind.addEventListener('change', fit); operation.addEventListener('change', fit); fit();
  function attributes() {
    if (operation.value === 'r') return [];
    const a = [];
    if (kind.value === 'eth') {
      a.push('port_vlan_id=' + pvid.value.trim());
      const tagged = vlans.value.replace(/\s+/g, '');
      if (tagged) a.push('ieee_virtual_eth=1', '"addl_vlan_ids=' + tagged + '"');
      if (vswitch.value.trim()) a.push('vswitch=' + vswitch.value.trim());
    } else {
      a.push('adapter_type=client', 'remote_lpar_name=' + vios.value.trim(), 'remote_slot_num=' + rslot.value.trim());
    }
    return ['-a', a.join(',')];
  }
  d.querySelector('form').addEventListener('submit', async ev => {
    ev.preventDefault();
    error.textContent = ''; apply.disabled = true;
    try {
      await hmc(['chhwres', '-m', system, '-r', 'virtualio', '--rsubtype', kind.value, '-o', operation.value, '-p', name,
        '-s', slot.value.trim(), ...attributes()]);
      d.close();
      announce('Virtual adapter in slot ' + slot.value.trim() + ' of ' + name + (operation.value === 'a' ? ' added' : ' removed'));
      d.dispatchEvent(new Event('changed'));
    } catch (e) {
      error.textContent = e.message;
    } finally {
      apply.disabled = false;
    }
  });
  return d;
}
