// Live Partition Mobility from the page: validate, then migrate a running partition to another
// managed system (migrlpar -o v|m through POST /api/v1/hmc/cli: the HMC's command, rules and role
// check; a refusal's HSCL message is shown and nothing changes), its progress from lslparmigr while
// it runs, and stop (migrlpar -o s), which leaves the partition running where it was.
import { hmc, el, announce } from './api.js';

const POLL_MS = 500;

export function dialog(name, system) {
  const target = el('input', { id: 'migr-target', list: 'migr-systems', autocomplete: 'off', required: true,
    'aria-describedby': 'migr-message' });
  const systems = el('datalist', { id: 'migr-systems' });
  const message = el('p', { id: 'migr-message', role: 'status' });
  const bar = el('progress', { id: 'migr-progress', max: '100', value: '0', hidden: true,
    'aria-label': 'Migration of ' + name });
  const figures = el('p', { id: 'migr-figures', class: 'muted' });
  const validate = el('button', { type: 'button', id: 'migr-validate' }, 'Validate');
  const start = el('button', { type: 'button', id: 'migr-start', class: 'primary', disabled: true,
    title: 'Validate first' }, 'Migrate');
  const stop = el('button', { type: 'button', id: 'migr-stop', class: 'danger', hidden: true }, 'Stop');
  const close = el('button', { type: 'button', id: 'migr-close' }, 'Close');
  const d = el('dialog', { id: 'migrate', 'aria-labelledby': 'migrate-h' },
    el('h2', { id: 'migrate-h' }, 'Migrate ' + name + ' to another managed system'),
    el('form', { id: 'migrate-form' },
      el('label', { for: 'migr-target' }, 'Destination managed system'), target, systems,
      message, bar, figures, el('div', { class: 'actions' }, close, validate, start, stop)));
  let validated = null; // the destination the last validation passed for
  let running = false;

  const say = (text, kind) => { message.textContent = text; message.className = kind || ''; d.dataset.phase = kind || ''; };
  target.addEventListener('input', () => { validated = null; start.disabled = true; });
  close.addEventListener('click', () => d.close());
  d.addEventListener('cancel', ev => { if (running) ev.preventDefault(); }); // Esc may not hide a migration in flight
  d.addEventListener('open-dialog', async () => {
    try { // the managed systems this console knows besides this one (connected ones included)
      const names = (await hmc(['lssyscfg', '-r', 'sys', '-F', 'name'])).split('\n').map(s => s.trim())
        .filter(s => s && s !== system);
      systems.replaceChildren(...names.map(n => el('option', { value: n })));
      if (!target.value && names.length === 1) target.value = names[0];
    } catch (e) { /* no list: the name is typed */ }
  });

  const migrlpar = (op, extra = []) => hmc(['migrlpar', '-o', op, '-m', system, '-p', name, ...extra]);

  validate.addEventListener('click', async () => {
    const t = target.value.trim();
    if (!t) { say('Name the destination managed system.', 'error'); target.focus(); return; }
    validate.disabled = true; say('Validating the migration to ' + t + '…');
    try {
      await migrlpar('v', ['-t', t]);
      validated = t; start.disabled = false; start.removeAttribute('title');
      say('Validation passed: ' + name + ' can move to ' + t + '.', 'ok');
    } catch (e) {
      validated = null; start.disabled = true; say(e.message, 'error');
    } finally { validate.disabled = false; }
  });

  async function progress() {
    const line = (await hmc(['lslparmigr', '-r', 'lpar', '-m', system, '--filter', 'lpar_names=' + name,
      '-F', 'migration_state,bytes_transmitted,bytes_remaining'])).trim();
    if (!line.includes(',')) return; // not started yet, or already over: "No results were found."
    const [state, sent, left] = line.split(',');
    const s = Number(sent), l = Number(left);
    if (Number.isFinite(s) && Number.isFinite(l) && s + l > 0) {
      const pct = Math.min(99, Math.floor(100 * s / (s + l)));
      if (pct > Number(bar.value)) bar.value = pct;
      figures.textContent = state + ': ' + (s / 1048576).toFixed(1) + ' MB sent, ' + (l / 1048576).toFixed(1) + ' MB to go';
    } else if (state) {
      figures.textContent = state;
    }
    bar.dataset.state = state || '';
  }

  start.addEventListener('click', async () => {
    if (!validated) return;
    const t = validated;
    running = true; start.disabled = true; validate.disabled = true; target.disabled = true; close.disabled = true;
    stop.hidden = false; stop.disabled = false; bar.hidden = false; bar.value = 0; figures.textContent = '';
    say('Migrating ' + name + ' to ' + t + '…', 'running');
    let polling = true;
    const poll = (async () => {
      while (polling) {
        try { await progress(); } catch (e) { /* between states: try again */ }
        await new Promise(r => setTimeout(r, POLL_MS));
      }
    })();
    try {
      await migrlpar('m', ['-t', t]);
      polling = false; await poll;
      bar.value = 100; bar.dataset.state = 'done';
      say(name + ' now runs on ' + t + '.', 'done');
      announce(name + ' migrated to ' + t);
    } catch (e) {
      polling = false; await poll;
      say(e.message, 'error');
    } finally {
      running = false; stop.hidden = true; close.disabled = false; validate.disabled = false; target.disabled = false;
      validated = null;
    }
  });

  stop.addEventListener('click', async () => {
    stop.disabled = true;
    try { await migrlpar('s'); figures.textContent = 'Stopping…'; } catch (e) { say(e.message, 'error'); stop.disabled = false; }
  });
  return d;
}

/** Opens the dialog and fills its list of destinations. */
export function open(d) {
  d.showModal();
  d.dispatchEvent(new Event('open-dialog'));
}
