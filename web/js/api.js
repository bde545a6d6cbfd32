// The REST client: JSON in and out, the bearer token on every call, and a transparent refresh
// when the 30-minute access token has expired (one refresh at a time, then the call is retried).
//
// Storage: the access token lives in sessionStorage (this tab); the refresh token in
// localStorage, so a new tab or a reload signs in silently with one refresh.
//
// A refresh token works once (the server rotates it, and a second use of the same token signs
// that sign-in out everywhere). Tabs share the refresh token, so refreshes are serialised across
// tabs with a Web Lock. localStorage reaches other tabs only eventually, so inside the lock each
// exchange is also recorded in IndexedDB (whose transactions every tab sees at once): a tab that
// waited and still reads a spent token from localStorage takes its successor from there.

const ACCESS = "mi.access";
const REFRESH = "mi.refresh";
const USER = "mi.user";

export class ApiError extends Error {
  constructor(status, body) {
    super(messageOf(status, body));
    this.status = status;
    this.body = body;
    this.code = body && body.code;
    this.field = body && Array.isArray(body.extra) && body.extra[0] ? body.extra[0].key : null;
  }
}

function messageOf(status, body) {
  if (status === 0) return "The server cannot be reached. Check your connection and try again.";
  if (status === 429) return "Too many attempts. Please wait a minute and try again.";
  const detail = body && (body.detail || body.message);
  if (body && Array.isArray(body.extra) && body.extra[0] && body.extra[0].message) {
    return cleanValidation(body.extra[0].message, body.extra[0].key);
  }
  if (detail) return String(detail);
  if (status >= 500) return "Something went wrong on the server. Please try again.";
  return `Request failed (${status}).`;
}

function cleanValidation(message, key) {
  // msgspec says e.g. "Expected `str` of length >= 8 - at `$.password`"
  const field = key ? key.replace(/^\$\./, "").replace(/_/g, " ") : "";
  const m = /length (>=|<=) (\d+)/.exec(message);
  if (m && field) return m[1] === ">=" ? `The ${field} must be at least ${m[2]} characters.` : `The ${field} must be at most ${m[2]} characters.`;
  if (/pattern/.test(message) && field) return `Please enter a valid ${field}.`;
  return message.replace(/\s*-\s*at `\$\.[^`]*`/, "") + (field ? ` (${field})` : "");
}

export const tokens = {
  get access() {
    return sessionStorage.getItem(ACCESS);
  },
  get refresh() {
    return localStorage.getItem(REFRESH);
  },
  get user() {
    try {
      return JSON.parse(localStorage.getItem(USER) || "null");
    } catch {
      return null;
    }
  },
  save(pair) {
    sessionStorage.setItem(ACCESS, pair.access_token);
    localStorage.setItem(REFRESH, pair.refresh_token);
    if (pair.user) localStorage.setItem(USER, JSON.stringify(pair.user));
  },
  saveUser(user) {
    localStorage.setItem(USER, JSON.stringify(user));
  },
  clear() {
    sessionStorage.removeItem(ACCESS);
    localStorage.removeItem(REFRESH);
    localStorage.removeItem(USER);
    localStorage.removeItem("mi.voice-pending"); // preferences.js: a choice waiting for a first interview
  },
  get signedIn() {
    return Boolean(this.access || this.refresh);
  },
};

let refreshing = null;
const listeners = new Set();

/** Called with no argument when the session is over (refresh failed): the app shows the log-in page. */
export function onSignedOut(listener) {
  listeners.add(listener);
}

/** Forget the tokens; `reason` is "manual" (the user logged out: the server revokes every
 * token of the account, on every device) or "expired". */
export function signOut(reason = "manual") {
  const access = tokens.access;
  if (reason === "manual" && access) {
    // Fire and forget (keepalive: it is sent even if the page goes away); signing out here
    // never waits for the network.
    fetch("/api/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${access}` }, keepalive: true }).catch(() => {});
  }
  tokens.clear();
  for (const listener of listeners) listener(reason);
}

/** Run `task` holding the cross-tab refresh lock (where the browser has Web Locks). */
function withRefreshLock(task) {
  return navigator.locks ? navigator.locks.request("mi.refresh", task) : task();
}

// The last few exchanges, spent token -> its successor, in IndexedDB (see the top of the file).
const ROTATIONS = "rotations";

function rotations(mode, work) {
  return new Promise((resolve) => {
    if (!globalThis.indexedDB) return resolve(null);
    const opening = indexedDB.open("mi.tokens", 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(ROTATIONS);
    opening.onerror = () => resolve(null);
    opening.onsuccess = () => {
      const db = opening.result;
      const tx = db.transaction(ROTATIONS, mode);
      let result = null;
      const request = work(tx.objectStore(ROTATIONS));
      if (request) request.onsuccess = () => (result = request.result);
      tx.oncomplete = () => {
        db.close();
        resolve(result);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        resolve(null);
      };
    };
  });
}

/** The newest refresh token: follows recorded exchanges from the one localStorage shows. */
async function currentRefresh() {
  let token = tokens.refresh;
  const known = (await rotations("readonly", (store) => store.get("recent"))) || [];
  for (let hops = 0; token && hops < known.length; hops++) {
    const next = known.find((entry) => entry.spent === token);
    if (!next) break;
    token = next.next;
  }
  return token;
}

function recordRotation(spent, next) {
  return rotations("readwrite", (store) => {
    const reading = store.get("recent");
    reading.onsuccess = () => store.put([...(reading.result || []).slice(-4), { spent, next }], "recent");
    return null;
  });
}

/** Exchange the refresh token for a new pair. Concurrent callers share one request; other tabs
 * wait for it and then exchange the token it stored. */
export function refreshTokens() {
  if (!refreshing) {
    refreshing = withRefreshLock(async () => {
      const refresh = await currentRefresh();
      if (!refresh) throw new ApiError(401, { detail: "Please log in." });
      const response = await rawFetch("/api/auth/refresh", { method: "POST", body: { refresh_token: refresh } });
      if (!response.ok) {
        const body = await readBody(response);
        if (response.status === 401) signOut("expired");
        throw new ApiError(response.status, body);
      }
      const pair = await response.json();
      await recordRotation(refresh, pair.refresh_token); // before the lock is released
      tokens.save(pair);
      return pair.access_token;
    }).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/** A valid access token (refreshing first if this tab has none yet). */
export async function accessToken() {
  return tokens.access || (await refreshTokens());
}

/** An access token valid for at least `margin` more seconds (for WebSocket handshakes, which
 * cannot be retried transparently like a fetch): refreshes first when it is about to expire. */
export async function freshAccessToken(margin = 60) {
  const token = tokens.access;
  if (token) {
    try {
      const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      if (!payload.exp || payload.exp - margin > Date.now() / 1000) return token;
    } catch {
      /* not a JWT we can read: let the server decide */
      return token;
    }
  }
  return refreshTokens();
}

async function rawFetch(path, { method = "GET", body, token, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(path, init);
  } catch {
    throw new ApiError(0, null);
  }
}

async function readBody(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

/**
 * Call the API. `auth: false` for the public auth routes. `raw: true` returns the Response
 * (for blobs). A 401 refreshes once and retries; a second 401 signs out.
 */
export async function api(path, { method = "GET", body, auth = true, raw = false } = {}) {
  let token = auth ? await accessToken() : null;
  let response = await rawFetch(path, { method, body, token });
  if (auth && response.status === 401) {
    token = await refreshTokens();
    response = await rawFetch(path, { method, body, token });
    if (response.status === 401) signOut("expired");
  }
  if (!response.ok) throw new ApiError(response.status, await readBody(response));
  return raw ? response : readBody(response);
}

export const auth = {
  async register(fields) {
    const pair = await api("/api/auth/register", { method: "POST", body: fields, auth: false });
    tokens.save(pair);
    return pair.user;
  },
  async login(email, password) {
    const pair = await api("/api/auth/login", { method: "POST", body: { email, password }, auth: false });
    tokens.save(pair);
    return pair.user;
  },
};
