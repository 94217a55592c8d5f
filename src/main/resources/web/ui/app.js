// The console's shell: login and logout, the header, and the hash router (#/systems, #/partitions,
// #/partition/NAME, #/create, #/events, #/network, #/vios). Each page is a module with a show(container, arg) function.
import { api, session, setLoggedOutHandler } from './api.js';
import * as systems from './systems.js';
import * as partitions from './partitions.js';
import * as partition from './partition.js';
import * as create from './create.js';
import * as events from './events.js';
import * as network from './network.js';
import * as vios from './vios.js';

const pages = { systems, partitions, partition, create, events, network, vios };
let current = null;

function $(id) { return document.getElementById(id); }

function showLogin(message) {
  Object.assign(session, { user: null, role: null, csrf: null, tasks: [] });
  if (current && current.leave) current.leave();
  current = null;
  $('page').replaceChildren();
  $('nav').hidden = true; $('who').hidden = true; $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('login-user').focus();
}

function loggedIn(s) {
  Object.assign(session, s);
  $('login').hidden = true; $('nav').hidden = false; $('who').hidden = false;
  $('who-name').textContent = s.user; $('who-role').textContent = '(' + s.role + ')';
  $('nav-create').hidden = !session.tasks.includes('CHANGE');
  route();
}

async function route() {
  if (!session.user) return;
  const [, name = 'partitions', arg] = location.hash.match(/^#\/([a-z]+)\/?(.*)$/) || [];
  const page = pages[name] || partitions;
  if (current && current.leave) current.leave();
  current = page;
  const container = $('page');
  container.replaceChildren();
  await page.show(container, decodeURIComponent(arg || ''));
  document.querySelectorAll('#nav a').forEach(a => a.toggleAttribute('aria-current', a.getAttribute('href') === '#/' + name));
}

setLoggedOutHandler(() => showLogin('The session has ended: log in again.'));

$('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  try {
    loggedIn(await api('POST', '/api/v1/session', { user: $('login-user').value, password: $('login-password').value }));
    $('login-password').value = '';
  } catch (e) {
    $('login-error').textContent = e.message;
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch (e) { /* gone already */ }
  showLogin('Logged out.');
});

window.addEventListener('hashchange', route);

// A reload keeps the session: the cookie is still there, and GET /api/v1/session gives the token back.
(async () => {
  try {
    const s = await api('GET', '/api/v1/session');
    if (s.csrf) loggedIn(s); else showLogin();
  } catch (e) {
    showLogin();
  }
})();
