// The Virtual I/O Servers as pictures: VIOS → its virtual SCSI server adapters (vhostN) → the virtual
// target devices mapped on each → their backing devices, and the client partitions whose client
// adapters point at each vhost; below, the storage pools with their free space. The adapters come
// from lshwres -r virtualio --rsubtype scsi (any role that may list); the mappings and pools from the
// VIOS's own lsmap and lssp (viosvrcmd: a role that may change things, as on the HMC).
import { api, hmc, el, may, svgEl } from './api.js';

/** lsmap -all -dec -fmt : -field svsa physloc clientid vtd backing: one line per vhost, then VTD/backing pairs. */
export function parseLsmap(text) {
  return text.split('\n').filter(l => l.trim()).map(l => {
    const f = l.split(':').map(x => x.trim());
    const slot = (/-C(\d+)$/.exec(f[1]) || [])[1];
    const targets = [];
    for (let i = 3; i + 1 < f.length; i += 2) targets.push({ vtd: f[i], backing: f[i + 1].split('/').pop() });
    return { vhost: f[0], slot, clientId: f[2], targets };
  });
}

/** lssp's table (Pool Size(mb) Free(mb) Alloc Size(mb) BDs Type) as records. */
export function parseLssp(text) {
  return text.split('\n').slice(1).filter(l => l.trim()).map(l => {
    const f = l.trim().split(/\s+/);
    return { name: f[0], size: Number(f[1]), free: Number(f[2]), bds: f[4], type: f[5] };
  });
}

/**
 * The VIOS as a frame holding its vhosts, their VTDs and backing devices (left to right); the client
 * partitions outside it on the left, each joined to the vhost its client adapter names.
 */
function picture(vios, vhosts, clients) {
  const rows = vhosts.map(v => Math.max(1, v.targets.length));
  const total = rows.reduce((a, b) => a + b, 0) || 1;
  const rowH = 44, top = 34, h = top + total * rowH + 10, w = 720;
  const s = svgEl('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: 'viospic', role: 'img',
    'aria-label': 'VIOS ' + vios + ': ' + vhosts.length + ' virtual SCSI server adapters', 'data-vios': vios });
  const frame = svgEl('g', { class: 'vios', 'data-name': vios });
  frame.append(svgEl('rect', { x: 190, y: 4, width: w - 196, height: h - 8, rx: 6 }),
    svgEl('text', { x: 200, y: 24 }, vios + ' (Virtual I/O Server)'));
  s.append(frame);
  const box = (x, y, width, label, cls, data) => {
    const g = svgEl('g', Object.assign({ class: cls }, data));
    g.append(svgEl('rect', { x, y, width, height: 30, rx: 4 }), svgEl('text', { x: x + width / 2, y: y + 20,
      'text-anchor': 'middle' }, label));
    s.append(g);
  };
  const link = (x1, y1, x2, y2, data) => s.append(svgEl('line', Object.assign({ x1, y1, x2, y2, class: 'link' }, data)));
  let row = 0;
  vhosts.forEach((v, i) => {
    const y = top + (row + (rows[i] - 1) / 2) * rowH;
    box(210, y, 140, v.vhost + (v.slot ? ' (slot ' + v.slot + ')' : ''), 'vhost', { 'data-vhost': v.vhost });
    v.targets.forEach((t, j) => {
      const ty = top + (row + j) * rowH;
      link(350, y + 15, 380, ty + 15, {});
      box(380, ty, 120, t.vtd, 'vtd', { 'data-vtd': t.vtd, 'data-vhost': v.vhost });
      link(500, ty + 15, 530, ty + 15, {});
      box(530, ty, w - 546, t.backing, 'backing', { 'data-backing': t.backing, 'data-vtd': t.vtd });
    });
    clients.filter(c => c.slot === v.slot).forEach((c, k) => {
      const cy = y + k * 8;
      link(160, cy + 15, 210, y + 15, { class: 'link client-link', 'data-vhost': v.vhost, 'data-client': c.name });
      box(10, cy, 150, c.name + ' (slot ' + c.clientSlot + ')', 'client', { 'data-client': c.name, 'data-vhost': v.vhost });
    });
    row += rows[i];
  });
  return s;
}

async function one(vios, scsi, system) {
  const servers = scsi.filter(a => a.lpar_name === vios && a.adapter_type === 'server');
  const clients = scsi.filter(a => a.adapter_type === 'client' && a.remote_lpar_name === vios)
    .map(a => ({ name: a.lpar_name, clientSlot: a.slot_num, slot: a.remote_slot_num }));
  let vhosts = servers.map(a => ({ vhost: 'slot ' + a.slot_num, slot: a.slot_num, targets: [] }));
  let pools = null, note = null;
  if (may('CHANGE')) {
    const run = c => hmc(['viosvrcmd', '-m', system, '-p', vios, '-c', c]);
    try {
      const mapped = parseLsmap(await run('lsmap -all -dec -fmt : -field svsa physloc clientid vtd backing'));
      if (mapped.length) vhosts = mapped;
      pools = parseLssp(await run('lssp'));
    } catch (e) {
      note = e.message;
    }
  } else {
    note = 'Your role may not run commands on the VIOS: the mappings (lsmap) and pools (lssp) are not shown.';
  }
  const enc = encodeURIComponent(vios);
  return el('section', { 'aria-labelledby': 'vios-' + enc, class: 'vios', 'data-vios': vios },
    el('h2', { id: 'vios-' + enc }, el('a', { href: '#/partition/' + enc }, vios)),
    el('div', { class: 'picture-wrap' }, picture(vios, vhosts, clients)),
    note ? el('p', { class: 'muted' }, note) : null,
    pools ? el('div', {}, el('h3', {}, 'Storage pools'), pools.length ? el('table', { class: 'pools' },
      el('thead', {}, el('tr', {}, ['Pool', 'Size (MB)', 'Free (MB)', 'Backing devices', 'Type'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, pools.map(p => el('tr', { 'data-pool': p.name }, el('td', {}, p.name), el('td', { class: 'num' }, String(p.size)),
        el('td', { class: 'num' }, el('meter', { min: 0, max: p.size, value: p.free, 'aria-label': p.name + ' free' }), ' ' + p.free),
        el('td', { class: 'num' }, p.bds), el('td', {}, p.type)))))
      : el('p', { class: 'muted' }, 'No storage pool.')) : null);
}

export async function show(container) {
  const [lpars, scsi, d] = await Promise.all([api('GET', '/api/v1/partitions'),
    api('GET', '/api/v1/hardware/virtualio?rsubtype=scsi&level=lpar'), api('GET', '/api/v1/daemon')]);
  const vioses = lpars.filter(l => l.lpar_env === 'vioserver').map(l => l.name);
  container.append(el('h1', {}, 'Virtual I/O Servers'),
    el('p', { class: 'muted' }, 'Client partition → the VIOS\'s virtual SCSI server adapter its client adapter names → '
      + 'virtual target devices → backing devices.'),
    ...(await Promise.all(vioses.map(v => one(v, scsi, d.system)))),
    vioses.length ? '' : el('p', { class: 'muted' }, 'No partition is a Virtual I/O Server.'));
}
