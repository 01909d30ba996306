// Entry: the service worker, the session, the router, and the online / sync state in the header.
import { ApiError, api, request } from "./api.js";
import { deleteUserDb, openUserDb } from "./db.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";
import * as push from "./push.js";
import { Sync } from "./sync.js";
import * as caseView from "./views/case.js";
import * as editView from "./views/edit.js";
import * as householdView from "./views/household.js";
import * as householdsView from "./views/households.js";
import * as inboxView from "./views/inbox.js";
import * as loginView from "./views/login.js";
import * as meView from "./views/me.js";
import * as queueView from "./views/queue.js";
import * as reportsView from "./views/reports.js";
import * as tasksView from "./views/tasks.js";
import * as visitView from "./views/visit.js";

const USER_KEY = "baolian.currentUser";
const ELDER_KEY = "baolian.elder";
const POLL_MS = 30000;

const TABS = [
  { key: "households", hash: "#/households", roles: ["member", "informant", "grid_leader", "secretary", "township", "admin"] },
  { key: "tasks", hash: "#/tasks", roles: null },
  { key: "inbox", hash: "#/inbox", roles: null },
  { key: "queue", hash: "#/queue", roles: ["informant", "grid_leader", "secretary", "township", "department", "admin"] },
  { key: "reports", hash: "#/reports", roles: ["secretary", "township", "admin"] },
  { key: "me", hash: "#/me", roles: null },
];

const ROUTES = [
  [/^#\/login$/, loginView, { title: "login.title", public: true }],
  [/^#\/households$/, householdsView, { tab: "households", title: "households.title" }],
  [/^#\/households\/(\d+)$/, householdView, { tab: "households", title: "household.profile", back: "#/households" }],
  [/^#\/households\/(\d+)\/visit$/, visitView, { tab: "households", title: "visit.title", back: 1 }],
  [/^#\/households\/(\d+)\/edit$/, editView, { tab: "households", title: "edit.title", back: 1 }],
  [/^#\/cases\/([\w-]+)$/, caseView, { tab: "queue", title: "case.title", back: -1 }],
  [/^#\/tasks$/, tasksView, { tab: "tasks", title: "tasks.title" }],
  [/^#\/tasks\/([\w-]+)$/, tasksView, { tab: "tasks", title: "tasks.title", back: "#/tasks" }],
  [/^#\/inbox$/, inboxView, { tab: "inbox", title: "inbox.title" }],
  [/^#\/queue$/, queueView, { tab: "queue", title: "queue.title" }],
  [/^#\/reports$/, reportsView, { tab: "reports", title: "reports.title" }],
  [/^#\/me$/, meView, { tab: "me", title: "me.title" }],
];

const $ = (id) => document.getElementById(id);
let routeToken = 0;
let dataListeners = [];
let leaveListeners = [];
let pollTimer = null;
let notificationsEtag = null;
let updateRequested = false;

const ctx = {
  user: null,
  db: null,
  sync: null,
  swRegistration: null,
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  toast(text) {
    const el = $("toast");
    clear(el).append(h("p", { class: "toast-text", text }));
    el.classList.add("show");
    clearTimeout(ctx.toastTimer);
    ctx.toastTimer = setTimeout(() => el.classList.remove("show"), 4000);
  },
  onData(fn) {
    dataListeners.push(fn);
  },
  onLeave(fn) {
    leaveListeners.push(fn);
  },
  online: () => navigator.onLine,
  tabsFor(user) {
    return TABS.filter((tab) => !tab.roles || tab.roles.includes(user.role));
  },
  homeHash() {
    return ctx.user ? ctx.tabsFor(ctx.user)[0].hash : "#/login";
  },
  elder: () => document.documentElement.classList.contains("elder"),
  setElder(on) {
    document.documentElement.classList.toggle("elder", on);
    try { localStorage.setItem(ELDER_KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
  },
  async login(phone, password) {
    const user = await api.login(phone, password);
    await startSession(user);
    requestPersistence();
    ctx.navigate(ctx.homeHash());
    return user;
  },
  async logout() {
    const user = ctx.user;
    try { await push.disable(); } catch (e) { /* no subscription */ }
    try { await api.logout(); } catch (e) { /* offline: the cookie expires on its own */ }
    stopSession();
    if (user) await deleteUserDb(user.id);
    try { localStorage.removeItem(USER_KEY); } catch (e) { /* ignore */ }
    ctx.navigate("#/login");
  },
  pollNotifications: () => pollNotifications(),
  unread: 0,
};

async function startSession(user) {
  if (ctx.user && String(ctx.user.id) !== String(user.id)) stopSession();
  if (!ctx.db) ctx.db = await openUserDb(user.id);
  ctx.user = user;
  await ctx.db.setMeta("user", user);
  try { localStorage.setItem(USER_KEY, String(user.id)); } catch (e) { /* ignore */ }
  if (!ctx.sync) {
    ctx.sync = new Sync(ctx.db, user);
    ctx.sync.addEventListener("status", renderStatus);
    ctx.sync.addEventListener("data", () => { updateUnread(); for (const fn of dataListeners) fn(); });
    await ctx.sync.start();
  } else {
    ctx.sync.user = user;
    ctx.sync.loggedIn();
  }
  renderTabs();
  updateUnread();
  startPolling();
}

function stopSession() {
  if (ctx.sync) ctx.sync.stop();
  if (ctx.db) ctx.db.close();
  ctx.sync = null;
  ctx.db = null;
  ctx.user = null;
  clearTimeout(pollTimer);
  notificationsEtag = null;
  renderTabs();
  renderStatus();
}

async function resumeSession() {
  let id = null;
  try { id = localStorage.getItem(USER_KEY); } catch (e) { /* ignore */ }
  if (!id) return;
  const db = await openUserDb(id);
  const user = await db.getMeta("user");
  if (!user) {
    db.close();
    return;
  }
  ctx.db = db;
  await startSession(user);
  if (navigator.onLine) {
    api.get("/api/me").then(async (me) => {
      if (ctx.user && ctx.user.id === me.id) {
        ctx.user = { ...ctx.user, ...me };
        await ctx.db.setMeta("user", ctx.user);
      }
    }).catch(() => { /* offline or logged out: handled by the 401 event */ });
  }
}

function requestPersistence() {
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
}

// ---- header: the sync / network state ------------------------------------------------------

function renderStatus() {
  const el = $("sync-status");
  const parts = [];
  const s = ctx.sync ? ctx.sync.state : null;
  const online = navigator.onLine;
  if (!online) parts.push(t("status.offline"));
  if (s) {
    if (s.loginNeeded) parts.push(t("status.login_needed"));
    if (s.pending > 0) parts.push(t("status.pending", { n: s.pending }));
    else if (s.lastSync) parts.push(t("status.synced"));
    else if (!online) parts.push(t("status.never"));
    if (s.syncing && online) parts.push(t("status.syncing"));
    if (s.rejected > 0) parts.push(t("status.rejected", { n: s.rejected }));
  }
  el.textContent = parts.join(t("status.sep"));
  el.classList.toggle("is-pending", Boolean(s && s.pending > 0));
  el.classList.toggle("is-offline", !online);
  el.hidden = !ctx.user;
}

// ---- tabs ----------------------------------------------------------------------------------

function renderTabs(active) {
  const nav = $("tab-bar");
  clear(nav);
  nav.hidden = !ctx.user;
  if (!ctx.user) return;
  nav.setAttribute("aria-label", t("tab.nav"));
  const list = h("ul", { class: "tab-list" });
  for (const tab of ctx.tabsFor(ctx.user)) {
    const link = h("a", { href: tab.hash, class: "tab", "data-tab": tab.key }, h("span", { class: "tab-label", text: t(`tab.${tab.key}`) }));
    if (tab.key === active) link.setAttribute("aria-current", "page");
    const item = h("li", {}, link);
    if (tab.key === "inbox" && ctx.unread > 0) {
      // The name stays exactly 消息; the count is its description (outside the link's content).
      link.setAttribute("aria-describedby", "unread-count");
      link.append(h("span", { class: "badge", "aria-hidden": "true", text: ctx.unread > 99 ? "99+" : String(ctx.unread) }));
      item.append(h("span", { class: "sr-only", id: "unread-count", text: t("tab.unread", { n: ctx.unread }) }));
    }
    list.append(item);
  }
  nav.append(list);
}

async function updateUnread() {
  if (!ctx.db) return;
  const items = await ctx.db.all("notifications");
  const unread = items.filter((n) => !n.read_at).length;
  if (unread !== ctx.unread) {
    ctx.unread = unread;
    renderTabs(ctx.activeTab);
  }
}

// The inbox without reload: a cheap ETag poll while the app is open and online.
async function pollNotifications() {
  clearTimeout(pollTimer);
  if (!ctx.db || !navigator.onLine || document.visibilityState === "hidden") {
    pollTimer = setTimeout(pollNotifications, POLL_MS);
    return;
  }
  const db = ctx.db;
  try {
    const res = await request("GET", "/api/notifications?limit=50", undefined, { etag: notificationsEtag });
    if (res.status !== 304 && res.data && db === ctx.db) {
      notificationsEtag = res.etag || null;
      await db.putMany("notifications", res.data.items || []);
      await updateUnread();
      for (const fn of dataListeners) fn();
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return; // this server has no inbox yet
  }
  pollTimer = setTimeout(pollNotifications, POLL_MS);
}

function startPolling() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(pollNotifications, 500);
}

// ---- router --------------------------------------------------------------------------------

async function route() {
  const token = ++routeToken;
  dataListeners = [];
  for (const fn of leaveListeners.splice(0)) fn();
  let hash = location.hash || "";
  if (!ctx.user && hash !== "#/login") {
    hash = "#/login";
    history.replaceState(null, "", hash);
  } else if (ctx.user && (hash === "" || hash === "#/" || hash === "#/login")) {
    hash = ctx.homeHash();
    history.replaceState(null, "", hash);
  }
  let match = null;
  let view = null;
  let opts = null;
  for (const [re, v, o] of ROUTES) {
    match = hash.match(re);
    if (match) { view = v; opts = o; break; }
  }
  if (!view) {
    ctx.navigate(ctx.homeHash());
    return;
  }
  ctx.activeTab = opts.tab;
  renderTabs(opts.tab);
  renderStatus();
  $("screen-title").textContent = t(opts.title);
  document.title = `${t(opts.title)} - ${t("app.name")}`;
  const back = $("back-button");
  back.hidden = !opts.back;
  back.onclick = () => {
    if (opts.back === -1) history.back();
    else if (opts.back === 1) ctx.navigate(hash.replace(/\/[a-z]+$/, ""));
    else ctx.navigate(opts.back);
  };
  const main = $("main");
  let node;
  try {
    node = await view.render(ctx, match.slice(1));
  } catch (e) {
    node = h("div", { class: "panel error", role: "alert" }, h("p", { text: e.message || t("error.unknown") }));
  }
  if (token !== routeToken) return; // the user moved on while this screen loaded
  clear(main).append(node);
  if (view.title) {
    const title = view.title(ctx);
    if (title) {
      $("screen-title").textContent = title;
      document.title = `${title} - ${t("app.name")}`;
    }
  }
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

// ---- service worker --------------------------------------------------------------------------

function showUpdate(worker) {
  const banner = $("update-banner");
  clear(banner).append(
    h("p", { class: "banner-text", text: t("update.ready") }),
    h("button", {
      type: "button", class: "button primary", text: t("update.apply"),
      on: { click: () => { updateRequested = true; worker.postMessage({ type: "SKIP_WAITING" }); } },
    }),
  );
  banner.hidden = false;
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (updateRequested) location.reload();
  });
  navigator.serviceWorker.addEventListener("message", (e) => {
    const msg = e.data || {};
    if (msg.type === "navigate" && typeof msg.url === "string" && msg.url.startsWith("/")) {
      const hash = msg.url.slice(msg.url.indexOf("#"));
      if (msg.url.includes("#")) ctx.navigate(hash);
    } else if (msg.type === "push") {
      pollNotifications();
    } else if (msg.type === "update-ready" && ctx.swRegistration && ctx.swRegistration.waiting) {
      showUpdate(ctx.swRegistration.waiting);
    }
  });
  try {
    const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" });
    ctx.swRegistration = reg;
    if (reg.waiting && navigator.serviceWorker.controller) showUpdate(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const worker = reg.installing;
      if (!worker) return;
      worker.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) showUpdate(worker);
      });
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && navigator.onLine) reg.update().catch(() => {});
    });
  } catch (e) { /* no worker: the app still runs online */ }
}

// ---- start ---------------------------------------------------------------------------------

async function boot() {
  $("skip-link").textContent = t("app.skip");
  const back = $("back-button");
  back.textContent = t("app.back");
  window.addEventListener("online", renderStatus);
  window.addEventListener("offline", renderStatus);
  window.addEventListener("hashchange", route);
  window.addEventListener("baolian:unauthenticated", () => {
    if (ctx.sync) ctx.sync.setState({ loginNeeded: true });
    if (ctx.user && location.hash !== "#/login") {
      ctx.loginNeeded = true;
      stopSessionKeepData();
      ctx.navigate("#/login");
    }
  });
  registerWorker();
  try {
    await resumeSession();
  } catch (e) { /* a broken local copy: start from login */ }
  await route();
  document.documentElement.classList.add("ready");
}

// A lapsed session: back to login, but the user's data and outbox stay on the phone.
function stopSessionKeepData() {
  stopSession();
}

boot();
export { ctx };
