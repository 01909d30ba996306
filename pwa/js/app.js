// Entry: puts the parts together and starts the app.
//   context.js        the ctx every screen receives
//   session.js        login / logout / resume / lapse: the user's database and sync loop
//   router.js         hash routes to screens; header title and back button
//   header-status.js  the sync / network line in the header
//   tabs.js           the tab bar and the unread badge
//   inbox-poll.js     the inbox's ETag poll
//   sw-client.js      service worker registration, update banner, the worker's messages
//   errlog.js         the on-device log of caught errors (shown in 我的 → 数据同步)
import { ctx } from "./context.js";
import { logError } from "./errlog.js";
import { renderStatus } from "./header-status.js";
import { t } from "./i18n.js";
import { pollNotifications } from "./inbox-poll.js";
import { homeHash, navigate, onData, onLeave, route } from "./router.js";
import { login, logout, passwordChanged, passwordChangeNeeded, resumeSession, sessionLapsed } from "./session.js";
import { registerWorker } from "./sw-client.js";
import { tabsFor } from "./tabs.js";

Object.assign(ctx, {
  navigate, onData, onLeave, tabsFor, homeHash, login, logout, passwordChanged,
  pollNotifications: () => pollNotifications(),
});

async function boot() {
  document.getElementById("skip-link").textContent = t("app.skip");
  const back = document.getElementById("back-button");
  back.textContent = t("app.back");
  window.addEventListener("online", renderStatus);
  window.addEventListener("offline", renderStatus);
  window.addEventListener("hashchange", route);
  window.addEventListener("baolian:unauthenticated", sessionLapsed);
  window.addEventListener("baolian:password-change-required", passwordChangeNeeded);
  registerWorker();
  try {
    await resumeSession();
  } catch (e) {
    logError("resume", e); // a broken local copy: start from login
  }
  await route();
  document.documentElement.classList.add("ready");
}

boot();
export { ctx };
