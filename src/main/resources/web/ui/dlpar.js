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
