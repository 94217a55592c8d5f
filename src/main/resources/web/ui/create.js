// Create a partition: the profile's attributes grouped as the HMC wizard groups them, checked as
// they are typed by the server's own rules (POST /api/v1/partitions?validate=only, the mksyscfg path),
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
const SHARED_ONLY = ['sharing_mode', 'uncap_weight', 'min_proc_units', 'desired_proc_units', 'max_proc_units'];

export function show(container) {
  const fields = new Map();
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
    return b;
  }

  /** The server's sentence names the attribute it is about: that field gets it, else the form. */
  function showError(message) {
    for (const f of fields.values()) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
    formError.textContent = '';
    if (!message) return;
    // the attribute named first is the one the sentence is about ("The value 512 for attribute min_mem ...")
    let name = null, at = Infinity;
    for (const n of fields.keys()) {
      const m = new RegExp('\\b' + n + '\\b').exec(message);
      if (m && m.index < at) { name = n; at = m.index; }
    }
    const f = name && fields.get(name);
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
