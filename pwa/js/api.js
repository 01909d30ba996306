// The JSON API: same-origin cookies, the CSRF token on every write, one error type.
import { logError } from "./errlog.js";
import { t } from "./i18n.js";

export class ApiError extends Error {
  constructor({ status = 0, code = "error", message, fields = null, current = null, offline = false }) {
    super(message || t("error.unknown"));
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.current = current;
    this.offline = offline;
  }
}

let csrfToken = null;
const WRITE = new Set(["POST", "PATCH", "PUT", "DELETE"]);

export function setCsrf(token) {
  csrfToken = token || null;
}

async function fetchCsrf() {
  const res = await request("GET", "/api/auth/csrf");
  csrfToken = res.data.csrf_token;
  return csrfToken;
}

// request(method, path, body?, {etag}) -> {status, data, etag}. Throws ApiError.
export async function request(method, path, body, opts = {}) {
  const headers = { Accept: "application/json" };
  const form = typeof FormData !== "undefined" && body instanceof FormData; // multipart: the browser sets its type
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (opts.etag) headers["If-None-Match"] = opts.etag;
  if (WRITE.has(method)) headers["X-CSRF-Token"] = csrfToken || (await fetchCsrf());
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined || form ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError({ offline: true, code: "network", message: t("error.network") });
  }
  if (res.status === 304) return { status: 304, data: null, etag: opts.etag };
  let data = null;
  const type = res.headers.get("Content-Type") || "";
  if (res.status !== 204 && type.includes("json")) {
    try {
      data = await res.json();
    } catch (e) {
      logError(`api ${method} ${path}`, e); // a broken body: treated as none
    }
  }
  if (res.ok) return { status: res.status, data, etag: res.headers.get("ETag") };
  const err = (data && data.error) || {};
  if (res.status === 400 && err.code === "csrf_failed" && !opts.retried) {
    await fetchCsrf();
    return request(method, path, body, { ...opts, retried: true });
  }
  if (res.status === 401) window.dispatchEvent(new CustomEvent("baolian:unauthenticated"));
  if (res.status === 403 && err.code === "password_change_required") {
    window.dispatchEvent(new CustomEvent("baolian:password-change-required"));
  }
  throw new ApiError({
    status: res.status,
    code: err.code || (res.status >= 500 ? "server_error" : "error"),
    message: err.message || (res.status >= 500 ? t("error.server") : t("error.unknown")),
    fields: err.fields || null,
    current: err.current || null,
  });
}

export const api = {
  get: (path, opts) => request("GET", path, undefined, opts).then((r) => r.data),
  post: (path, body) => request("POST", path, body ?? {}).then((r) => r.data),
  patch: (path, body) => request("PATCH", path, body).then((r) => r.data),
  put: (path, body) => request("PUT", path, body).then((r) => r.data),
  del: (path, body) => request("DELETE", path, body).then((r) => r.data),

  async login(phone, password) {
    await fetchCsrf();
    const user = await api.post("/api/auth/login", { phone, password });
    setCsrf(user.csrf_token);
    delete user.csrf_token;
    return user;
  },

  async logout() {
    try { await api.post("/api/auth/logout"); } finally { setCsrf(null); }
  },

  // Every page of a list ({items, next}).
  async all(path, limit = 200) {
    const items = [];
    let cursor = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await api.get(url);
      items.push(...page.items);
      cursor = page.next;
    } while (cursor);
    return items;
  },
};
