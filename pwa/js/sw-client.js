// The page's side of the service worker: registration, the "update ready" banner (the page
// reloads once the user applies it), a check for a new version when the app comes back into
// view, and the worker's messages (open a screen from a notification, a push arrived, an error
// the worker caught: it has no storage of its own for the log).
import { ctx } from "./context.js";
import { clear, h } from "./dom.js";
import { logError } from "./errlog.js";
import { t } from "./i18n.js";
import { pollNotifications } from "./inbox-poll.js";
import { navigate } from "./router.js";

let updateRequested = false;

function showUpdate(worker) {
  const banner = document.getElementById("update-banner");
  clear(banner).append(
    h("p", { class: "banner-text", text: t("update.ready") }),
    h("button", {
      type: "button", class: "button primary", text: t("update.apply"),
      on: { click: () => { updateRequested = true; worker.postMessage({ type: "SKIP_WAITING" }); } },
    }),
  );
  banner.hidden = false;
}

export async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (updateRequested) location.reload();
  });
  navigator.serviceWorker.addEventListener("message", (e) => {
    const msg = e.data || {};
    if (msg.type === "navigate" && typeof msg.url === "string" && msg.url.startsWith("/")) {
      const hash = msg.url.slice(msg.url.indexOf("#"));
      if (msg.url.includes("#")) navigate(hash);
    } else if (msg.type === "push") {
      pollNotifications();
    } else if (msg.type === "update-ready" && ctx.swRegistration && ctx.swRegistration.waiting) {
      showUpdate(ctx.swRegistration.waiting);
    } else if (msg.type === "error") {
      logError(`sw ${msg.where}`, String(msg.message));
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
      if (document.visibilityState === "visible" && navigator.onLine) reg.update().catch((e) => logError("sw.update", e));
    });
  } catch (e) {
    logError("sw.register", e); // no worker: the app still runs online
  }
}
