// The virtual network as a picture: each virtual switch, its VLANs, and every partition's virtual
// Ethernet adapter joined to its port VLAN (solid) and to the VLANs it carries tagged (dashed); a
// trunk adapter (a VIOS's bridge out of the switch) is marked with the VLANs it bridges. The data is
// lshwres -r virtualio --rsubtype vswitch and --rsubtype eth --level lpar, through the API.
import { api, el, svgEl } from './api.js';

const vlanList = v => (v || '').split(',').map(x => x.trim()).filter(x => x && x !== 'none');

/** One switch: VLANs in a row above, adapters in a row below, a line per VLAN membership. */
export function picture(vswitch, adapters) {
  const vlans = [...new Set([...vlanList(vswitch.vlan_ids),
    ...adapters.flatMap(a => [a.port_vlan_id, ...vlanList(a.addl_vlan_ids)])])].sort((a, b) => a - b);
  const step = 120, w = Math.max(vlans.length, adapters.length, 2) * step + 20, h = 230;
  const s = svgEl('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: 'netpic', role: 'img',
    'aria-label': 'Virtual switch ' + vswitch.vswitch + ': ' + vlans.length + ' VLANs, ' + adapters.length + ' adapters',
    'data-vswitch': vswitch.vswitch });
  s.append(svgEl('rect', { x: 10, y: 4, width: w - 20, height: 26, rx: 4, class: 'switch' }),
    svgEl('text', { x: w / 2, y: 22, 'text-anchor': 'middle', class: 'switch-label' },
      vswitch.vswitch + ' (' + (vswitch.switch_mode || 'VEB') + ')'));
  const vx = new Map(vlans.map((v, i) => [v, 20 + i * step + step / 2 - 10]));
  const ax = i => 20 + i * step + step / 2 - 10;
  const lines = svgEl('g', { class: 'links' });
  s.append(lines);
  for (const v of vlans) {
    const g = svgEl('g', { class: 'vlan', 'data-vlan': v });
    g.append(svgEl('line', { x1: vx.get(v), y1: 30, x2: vx.get(v), y2: 56, class: 'trunkline' }),
      svgEl('rect', { x: vx.get(v) - 40, y: 56, width: 80, height: 26, rx: 13 }),
      svgEl('text', { x: vx.get(v), y: 74, 'text-anchor': 'middle' }, 'VLAN ' + v));
    s.append(g);
  }
  adapters.forEach((a, i) => {
    const trunk = a.is_trunk === '1';
    const key = a.lpar_name + '/' + a.slot_num;
    const link = (v, kind) => lines.append(svgEl('line', { x1: ax(i), y1: 160, x2: vx.get(v), y2: 82,
      class: kind + (trunk ? ' trunk' : ''), 'data-from': key, 'data-vlan': v, 'data-kind': kind }));
    link(a.port_vlan_id, 'pvid');
    for (const v of vlanList(a.addl_vlan_ids)) link(v, 'tagged');
    const g = svgEl('g', { class: 'adapter' + (trunk ? ' trunk' : ''), 'data-lpar': a.lpar_name, 'data-slot': a.slot_num });
    g.append(svgEl('rect', { x: ax(i) - 55, y: 160, width: 110, height: trunk ? 62 : 46, rx: 4 }),
      svgEl('text', { x: ax(i), y: 178, 'text-anchor': 'middle', class: 'lpar' }, a.lpar_name),
      svgEl('text', { x: ax(i), y: 194, 'text-anchor': 'middle' }, 'slot ' + a.slot_num + ' · PVID ' + a.port_vlan_id));
    if (trunk) g.append(svgEl('text', { x: ax(i), y: 212, 'text-anchor': 'middle', class: 'trunk-label' },
      'trunk, bridges ' + [a.port_vlan_id, ...vlanList(a.addl_vlan_ids)].join(',')));
    s.append(g);
  });
  return s;
}

/** The same facts as a list, for screen readers and for copying. */
function members(vswitch, adapters) {
  const vlans = [...new Set(adapters.flatMap(a => [a.port_vlan_id, ...vlanList(a.addl_vlan_ids)]))].sort((a, b) => a - b);
  return el('ul', { class: 'vlan-members' }, vlans.map(v => el('li', { 'data-vlan': v }, 'VLAN ' + v + ': ',
    adapters.filter(a => a.port_vlan_id === v || vlanList(a.addl_vlan_ids).includes(v))
      .map(a => a.lpar_name + ' slot ' + a.slot_num + (a.port_vlan_id === v ? ' (untagged)' : ' (tagged)')
        + (a.is_trunk === '1' ? ' trunk' : '')).join(', '))));
}

export async function show(container) {
  const [switches, eth] = await Promise.all([api('GET', '/api/v1/hardware/virtualio?rsubtype=vswitch'),
    api('GET', '/api/v1/hardware/virtualio?rsubtype=eth&level=lpar')]);
  container.append(el('h1', {}, 'Virtual network'),
    el('p', { class: 'muted' }, 'Solid: the adapter\'s port VLAN (untagged frames). Dashed: VLANs it carries tagged (802.1Q).'),
    ...switches.map(sw => {
      const adapters = eth.filter(a => (a.vswitch || 'ETHERNET0') === sw.vswitch);
      return el('section', { 'aria-labelledby': 'vs-' + sw.vswitch }, el('h2', { id: 'vs-' + sw.vswitch }, sw.vswitch),
        el('div', { class: 'picture-wrap' }, picture(sw, adapters)), members(sw, adapters));
    }),
    switches.length ? '' : el('p', { class: 'muted' }, 'No virtual switch.'));
}
