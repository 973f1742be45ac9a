// The one way the UI talks to kam: the public API under /api/v1 (docs/api.md).
// Errors come back as RFC 9457 problems; they are thrown as ApiError with the status, the
// detail and the field list, so that pages can show what was wrong.
import { reactive } from 'vue';

const CSRF_KEY = 'kam.csrf';

export const session = reactive({ user: null, checked: false });

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.type = problem?.type || '';
    this.errors = problem?.errors || [];
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function api(method, path, { params, body, headers } = {}) {
  const h = { Accept: 'application/json', ...(headers || {}) };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) h['X-CSRF-Token'] = csrf;
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}${query(params)}`, {
      method,
      headers: h,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { detail: e.message });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text.slice(0, 200) };
    }
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/session') onUnauthorized();
    throw new ApiError(res.status, data);
  }
  return { data, headers: res.headers };
}

export const get = async (path, params) => (await api('GET', path, { params })).data;

export async function signIn(username, password) {
  const { data } = await api('POST', '/session', { body: { username, password } });
  sessionStorage.setItem(CSRF_KEY, data.csrf_token);
  session.user = data.user;
  session.checked = true;
  return data.user;
}

export async function signOut() {
  try {
    await api('DELETE', '/session');
  } finally {
    sessionStorage.removeItem(CSRF_KEY);
    session.user = null;
  }
}

// Who is signed in (the cookie survives a reload; the CSRF token lives in sessionStorage).
export async function whoAmI() {
  try {
    const data = await get('/session');
    session.user = data.user || data;
  } catch {
    session.user = null;
  } finally {
    session.checked = true;
  }
  return session.user;
}

// What a role may see and do, as the server enforces it (docs/users.md); the UI only hides
// what would be refused anyway.
export const can = {
  score: (u) => u && (u.role === 'admin' || u.role === 'director'),
  write: (u) => u && u.role !== 'viewer',
  // A new account's owner: admin, director and manager choose one; a rep's accounts are theirs.
  pickOwner: (u) => u && ['admin', 'director', 'manager'].includes(u.role),
  audit: (u) => u && u.role === 'admin',
  import: (u) => u && (u.role === 'admin' || u.role === 'director'),
  model: (u) => u && u.role === 'admin',
};
