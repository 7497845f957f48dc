// The HTTP API of SPEC §6 and the tokens the console keeps.
//
// Tokens live in sessionStorage (one tab, gone when the tab closes), never in cookies: actas sets none.
// - own: the signed-in person's user token.
// - impersonation: {token, session, return_to, target_name} while "logged in as" someone (SPEC §2). On
//   switch back the console simply goes back to the own token it kept: no new token is issued.
// - grant: {token, grant, return_to} while a support user works as a grant's temporary admin (SPEC §3).
const KEY_OWN = 'actas.token';
const KEY_IMPERSONATION = 'actas.impersonation';
const KEY_GRANT = 'actas.grant';

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? 'null');
  } catch {
    return null;
  }
}

function write(key, value) {
  if (value == null) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}

export const tokens = {
  own: () => read(KEY_OWN),
  setOwn: (token) => write(KEY_OWN, token),
  impersonation: () => read(KEY_IMPERSONATION),
  setImpersonation: (value) => write(KEY_IMPERSONATION, value),
  grant: () => read(KEY_GRANT),
  setGrant: (value) => write(KEY_GRANT, value),
  /// The token requests go out with: the impersonation's, else the grant's, else the person's own.
  active() {
    return this.impersonation()?.token ?? this.grant()?.token ?? this.own();
  },
  clear() {
    [KEY_OWN, KEY_IMPERSONATION, KEY_GRANT].forEach((k) => sessionStorage.removeItem(k));
  },
};

/// An error answer: {"error": {code, message, request_id}}, or a network failure (status 0).
export class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

/// True when the server does not offer this call (yet): unknown routes answer 404 `not_found`, and a
/// method the route lacks 405.
export function notAvailable(error) {
  return error instanceof ApiError && ((error.status === 404 && error.code === 'not_found') || error.status === 405);
}

/// One call. `token` overrides the active token (null sends none). Resolves to the parsed body.
export async function api(method, path, body, { token } = {}) {
  const bearer = token === undefined ? tokens.active() : token;
  const headers = { Accept: 'application/json' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const e = data?.error ?? {};
    throw new ApiError(response.status, e.code ?? `http_${response.status}`, e.message ?? response.statusText,
      e.request_id);
  }
  return data ?? {};
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body, options) => api('POST', path, body ?? {}, options);
export const patch = (path, body, options) => api('PATCH', path, body, options);

/// Builds "/v1/users?q=ann" from a path and the defined, non-empty parameters.
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
