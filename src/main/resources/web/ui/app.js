// The console's shell: login and logout, the header, and the hash router (#/systems, #/partitions,
// #/partition/NAME, #/create, #/events, #/network, #/vios). Each page is a module with a show(container, arg) function.
import { api, session, setLoggedOutHandler } from './api.js';
import * as feed from './feed.js';

// Each page's module is fetched when it is first shown: a first load waits for its own page only.
const pages = { systems: () => import('./systems.js'), partitions: () => import('./partitions.js'),
  partition: () => import('./partition.js'), create: () => import('./create.js'), events: () => import('./events.js'),
  network: () => import('./network.js'), vios: () => import('./vios.js') };
const FEED_PAGES = new Set(['partitions', 'partition']);
let current = null;
let routing = 0;

function pageName() {
  const [, name = 'partitions', arg] = location.hash.match(/^#\/([a-z]+)\/?(.*)$/) || [];
  return [pages[name] ? name : 'partitions', arg];
}

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
  const [name, arg] = pageName();
  const mine = ++routing;
  const page = await pages[name]();
  if (mine !== routing || !session.user) return; // another page was asked for meanwhile
  if (current && current.leave) current.leave();
  current = page;
  const container = $('page');
  container.replaceChildren();
  await page.show(container, decodeURIComponent(arg || ''));
  feed.release(); // a feed opened ahead that this page does not follow
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
// A page that follows the feed opens it at the same time rather than after the answer (with no login
// it fails quietly, and the login form is shown as before).
if (FEED_PAGES.has(pageName()[0])) feed.prefetch();
(async () => {
  try {
    const s = await api('GET', '/api/v1/session');
    performance.mark('parvirt-session'); // for WebFirstLoadBench
    if (s.csrf) loggedIn(s); else showLogin();
  } catch (e) {
    showLogin();
  }
})();
