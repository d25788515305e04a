// The gateway's public API with a bearer token: client credentials grant, the token kept in
// sessionStorage (the secret only in memory, to fetch a new token before this one expires).

const TOKEN_KEY = "ltci.dashboard.token";
const EARLY_SECONDS = 60; // ask for a new token this long before the current one expires

export class ApiError extends Error {
  constructor(status, detail, type = null) {
    super(detail);
    this.status = status;
    this.type = type;
  }
}

let session = null; // {token, expiresAt (ms), clientId, role}
let secret = null; // {clientId, clientSecret}: memory only
let timer = null;
let onExpired = () => {};

function decodeClaims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      [...atob(part)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
    );
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function store(issued, clientId) {
  const claims = decodeClaims(issued.access_token);
  session = {
    token: issued.access_token,
    expiresAt: Date.now() + issued.expires_in * 1000,
    clientId: claims.sub || clientId,
    role: claims.role || issued.scope || "",
  };
  try {
    window.sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  } catch {
    /* storage refused: the token lives in memory only */
  }
  schedule();
}

function schedule() {
  window.clearTimeout(timer);
  if (!session) return;
  const wait = Math.max(session.expiresAt - Date.now() - EARLY_SECONDS * 1000, 1000);
  timer = window.setTimeout(renew, wait);
}

async function renew() {
  if (secret) {
    try {
      await login(secret.clientId, secret.clientSecret);
      return;
    } catch {
      /* fall through: ask the operator to sign in again */
    }
  }
  if (!session || session.expiresAt <= Date.now() + 5000) {
    logout();
    onExpired();
  } else {
    timer = window.setTimeout(renew, Math.max(session.expiresAt - Date.now() - 4000, 1000));
  }
}

async function problemOf(response) {
  try {
    const body = await response.json();
    return new ApiError(response.status, body.detail || body.title || response.statusText, body.type);
  } catch {
    return new ApiError(response.status, response.statusText || `HTTP ${response.status}`);
  }
}

/** Client credentials grant (form-encoded); keeps the token and, in memory, the secret. */
export async function login(clientId, clientSecret) {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
  });
  let response;
  try {
    response = await fetch("/oauth/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: form.toString(),
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(0, String(error));
  }
  if (!response.ok) throw await problemOf(response);
  store(await response.json(), clientId);
  secret = { clientId, clientSecret };
  return session;
}

/** The session kept in this tab (a page reload keeps it until the token expires). */
export function restore(expired) {
  onExpired = expired;
  try {
    const saved = JSON.parse(window.sessionStorage.getItem(TOKEN_KEY) || "null");
    if (saved && saved.token && saved.expiresAt > Date.now() + 5000) {
      session = saved;
      schedule();
    }
  } catch {
    session = null;
  }
  return session;
}

export function current() {
  return session;
}

export function logout() {
  window.clearTimeout(timer);
  session = null;
  secret = null;
  try {
    window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* nothing kept */
  }
}

/** GET ``path`` (e.g. ``/settlement/stats/funds``) with ``params``; the JSON body. */
export async function get(path, params = {}) {
  if (!session) throw new ApiError(401, "not signed in");
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") query.set(key, String(value));
  }
  const url = query.toString() ? `${path}?${query}` : path;
  let response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${session.token}`, Accept: "application/json" },
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(0, String(error));
  }
  if (response.status === 401) {
    logout();
    onExpired();
  }
  if (!response.ok) throw await problemOf(response);
  return response.json();
}

/** Every page of a list endpoint (``items`` + ``next_cursor``), at most ``maxPages``. */
export async function all(path, params = {}, maxPages = 10) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page++) {
    const body = await get(path, { ...params, cursor });
    items.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return items;
}
