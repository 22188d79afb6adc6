// The API client: keys (from the URL fragment or localStorage), requests with the X-API-Key header, RFC 7807 problems as errors.

const KEY_ROLES = ['read', 'ingest', 'admin'];
const STORAGE = 'encore.keys';

/** An API error: the problem's status, title and detail (RFC 7807), and the request that got it. */
export class ApiError extends Error {
  constructor(status, title, detail, request) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.request = request;
  }
}

/** The keys the console holds: {read, ingest, admin}, each a string or ''. */
export function loadKeys() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE) || '{}');
    return Object.fromEntries(KEY_ROLES.map(r => [r, typeof stored[r] === 'string' ? stored[r] : '']));
  } catch {
    return { read: '', ingest: '', admin: '' };
  }
}

export function saveKeys(keys) {
  const clean = Object.fromEntries(KEY_ROLES.map(r => [r, (keys[r] || '').trim()]));
  localStorage.setItem(STORAGE, JSON.stringify(clean));
  return clean;
}

/**
 * Takes keys from a fragment like #read=...&ingest=...&admin=... (the demo prints such a URL), stores them, and tells
 * the caller what was found so it can take them out of the address bar. Keys never travel in query strings.
 */
export function keysFromFragment(hash) {
  const text = (hash || '').replace(/^#/, '');
  if (!/(^|&)(read|ingest|admin)=/.test(text)) return null;
  const params = new URLSearchParams(text);
  const keys = loadKeys();
  let found = 0;
  for (const role of KEY_ROLES) {
    const value = params.get(role);
    if (value) { keys[role] = value; found++; }
  }
  saveKeys(keys);
  return { found, route: params.get('go') || '' };
}

/**
 * A request to the API with the role's key; answers the parsed JSON (or null for 204). A failed request throws an
 * ApiError carrying the problem's detail; a missing key throws before sending.
 */
export async function api(method, path, { role = 'read', body, signal } = {}) {
  const key = loadKeys()[role];
  const request = `${method} ${path}`;
  if (!key) throw new ApiError(0, 'no key', `enter the ${role} key (Keys, top right) to use ${path.split('?')[0]}`, request);
  const headers = { 'X-API-Key': key, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network error', `The server did not answer (${e.message}). Is it running?`, request);
  }
  return read(response, request);
}

/** A request that needs no key (health). */
export async function open(path) {
  let response;
  try { response = await fetch(path, { headers: { Accept: 'application/json' } }); }
  catch (e) { throw new ApiError(0, 'network error', `The server did not answer (${e.message}). Is it running?`, `GET ${path}`); }
  return read(response, `GET ${path}`, true);
}

async function read(response, request, anyStatus = false) {
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (response.ok || anyStatus) return json;
  const title = json && typeof json.title === 'string' ? json.title : response.statusText;
  const detail = json && typeof json.detail === 'string' ? json.detail : (text || '').slice(0, 300);
  throw new ApiError(response.status, title, detail, request);
}

/** A readable line for an error: "403 wrong API key: this endpoint needs the admin key (GET /v1/models)". */
export function describe(error) {
  if (error instanceof ApiError) {
    const status = error.status ? `${error.status} ` : '';
    const hint = error.status === 401 || error.status === 403 ? ' Check the keys (the Keys button, top right).' : '';
    return `${status}${error.title}: ${error.detail} (${error.request.split('?')[0]}).${hint}`;
  }
  return String(error && error.message || error);
}

export function hasKey(role) { return !!loadKeys()[role]; }
