// The REST API as the pages use it: the session cookie goes by itself (same origin); every change
// carries the session's CSRF token, which only a page of this origin can read.
export const session = { user: null, role: null, csrf: null, tasks: [] };

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export let onLoggedOut = () => {};
export function setLoggedOutHandler(f) { onLoggedOut = f; }

/**
 * One request. `opts.background`: the page asks by itself on a timer (not a person's action), so the
 * server checks the login without renewing it and an untouched page still reaches the idle timeout.
 */
export async function api(method, path, body, opts = {}) {
  const headers = { 'Accept': 'application/json', 'X-Requested-With': 'parvirt-web' };
  if (opts.background) headers['X-Parvirt-Background'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.csrf) headers['X-Parvirt-CSRF'] = session.csrf;
  const r = await fetch(path, { method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status === 204) return null;
  const text = await r.text();
  const data = text && (r.headers.get('Content-Type') || '').startsWith('application/json') ? JSON.parse(text) : text;
  if (r.status === 401 && path !== '/api/v1/session') onLoggedOut();
  if (!r.ok) throw new ApiError(r.status, data && data.code, (data && data.message) || ('HTTP ' + r.status));
  return data;
}

/**
 * An HMC command line through the API (chsysstate has no route of its own yet); same role checks.
 * `opts.background` as for api().
 */
export async function hmc(argv, opts = {}) {
  const headers = { 'Content-Type': 'application/json', 'X-Parvirt-CSRF': session.csrf || '', 'X-Requested-With': 'parvirt-web' };
  if (opts.background) headers['X-Parvirt-Background'] = '1';
  const r = await fetch('/api/v1/hmc/cli', { method: 'POST', credentials: 'same-origin', headers,
    body: JSON.stringify({ argv }) });
  const text = await r.text();
  if (!r.ok) {
    let m = text; try { m = JSON.parse(text).message; } catch (e) { /* plain text */ }
    throw new ApiError(r.status, null, m);
  }
  if (r.headers.get('X-Parvirt-Exit-Code') !== '0') throw new ApiError(400, null, text.trim());
  return text;
}

export function may(task) { return session.tasks.includes(task); }

/** Elements by hand: every text goes through textContent, never HTML, so no name can inject markup. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** An SVG element with its attributes and text (textContent: names cannot inject markup here either). */
export function svgEl(tag, attrs, text) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export function announce(text) { document.getElementById('status').textContent = text; }
