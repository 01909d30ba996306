// The session: who is logged in, with their own database and sync loop. Login, logout (which
// deletes the user's database), resuming after a restart, a lapsed session (back to login,
// but the user's data and outbox stay on the phone), and a temporary password that must be
// changed first (the router keeps the user on 修改密码; sync and the inbox poll wait).
import { passwordChangeRequired } from "./accounts.js";
import { api } from "./api.js";
import { ctx } from "./context.js";
import { deleteUserDb, openUserDb } from "./db.js";
import { logError } from "./errlog.js";
import { renderStatus } from "./header-status.js";
import { startPolling, stopPolling } from "./inbox-poll.js";
import * as push from "./push.js";
import { homeHash, navigate, notifyData } from "./router.js";
import { Sync } from "./sync.js";
import { renderTabs, updateUnread } from "./tabs.js";

const USER_KEY = "baolian.currentUser";

export async function login(phone, password) {
  const user = await api.login(phone, password);
  await startSession(user);
  requestPersistence();
  navigate(homeHash());
  return user;
}

export async function logout() {
  const user = ctx.user;
  try { await push.disable(); } catch (e) { logError("logout.push", e); /* logging out goes on */ }
  try { await api.logout(); } catch (e) { logError("logout", e); /* offline: the cookie expires on its own */ }
  stopSession();
  if (user) await deleteUserDb(user.id);
  try { localStorage.removeItem(USER_KEY); } catch (e) { logError("logout.storage", e); }
  navigate("#/login");
}

async function startSession(user) {
  if (ctx.user && String(ctx.user.id) !== String(user.id)) stopSession();
  if (!ctx.db) ctx.db = await openUserDb(user.id);
  ctx.user = user;
  await ctx.db.setMeta("user", user);
  try { localStorage.setItem(USER_KEY, String(user.id)); } catch (e) { logError("session.storage", e); /* no resume after a restart */ }
  if (!ctx.sync) {
    ctx.sync = new Sync(ctx.db, user);
    ctx.sync.addEventListener("status", renderStatus);
    ctx.sync.addEventListener("data", () => { updateUnread(); notifyData(); });
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
  stopPolling();
  renderTabs();
  renderStatus();
}

// After a restart: the last user's local copy, then their fresh profile when online.
export async function resumeSession() {
  let id = null;
  try { id = localStorage.getItem(USER_KEY); } catch (e) { logError("resume.storage", e); /* start from login */ }
  if (!id) return;
  const db = await openUserDb(id);
  const user = await db.getMeta("user");
  if (!user) {
    db.close();
    return;
  }
  ctx.db = db;
  await startSession(user);
  if (navigator.onLine) refreshProfile();
}

// The fresh profile (capabilities included) replaces the stored one; the tabs follow it.
async function refreshProfile() {
  try {
    const me = await api.get("/api/me");
    if (!ctx.user || ctx.user.id !== me.id) return;
    const wasForced = passwordChangeRequired(ctx.user);
    ctx.user = me;
    ctx.sync.user = me;
    await ctx.db.setMeta("user", me);
    renderTabs(ctx.activeTab);
    if (passwordChangeRequired(me)) navigate("#/password");
    else if (wasForced) ctx.sync.kick(); // changed on another phone meanwhile
  } catch (e) {
    logError("resume.profile", e); // offline or logged out (the 401 event handles that)
  }
}

// The server answered 401: back to login, but the user's data and outbox stay on the phone.
export function sessionLapsed() {
  if (ctx.sync) ctx.sync.setState({ loginNeeded: true });
  if (ctx.user && location.hash !== "#/login") {
    ctx.loginNeeded = true;
    stopSession();
    navigate("#/login");
  }
}

// The server answered 403 password_change_required: keep the user on 修改密码 until it is done.
export async function passwordChangeNeeded() {
  if (!ctx.user || passwordChangeRequired(ctx.user)) return;
  ctx.user = { ...ctx.user, must_change_password: true };
  if (ctx.sync) ctx.sync.user = ctx.user;
  try { await ctx.db.setMeta("user", ctx.user); } catch (e) { logError("password.required", e); /* kept in memory */ }
  renderTabs(ctx.activeTab);
  navigate("#/password");
}

// The temporary password was changed: the fresh profile, then sync, polls and tabs as usual.
export async function passwordChanged() {
  if (!ctx.user) return;
  let user = { ...ctx.user, must_change_password: false };
  try {
    const me = await api.get("/api/me");
    if (me && ctx.user && me.id === ctx.user.id) user = me;
  } catch (e) {
    logError("password.profile", e); // the stored profile, unflagged, serves until the next start
  }
  ctx.user = user;
  try { await ctx.db.setMeta("user", user); } catch (e) { logError("password.changed", e); /* kept in memory */ }
  if (ctx.sync) {
    ctx.sync.user = user;
    ctx.sync.loggedIn();
  }
  startPolling();
  renderTabs();
  navigate(homeHash());
}

function requestPersistence() {
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch((e) => logError("persist", e));
}
