// The one `ctx` every screen's render(ctx, params) receives: the session (user, db, sync) and
// small page helpers. app.js adds the methods that belong to the router and the session
// (navigate, onData, onLeave, login, logout, ...); ctx.activeTab and ctx.loginNeeded are set
// by those as they go.
import { clear, h } from "./dom.js";
import { logError } from "./errlog.js";

const ELDER_KEY = "baolian.elder";

export const ctx = {
  user: null,
  db: null,
  sync: null,
  swRegistration: null,
  unread: 0,
  toast(text) {
    const el = document.getElementById("toast");
    clear(el).append(h("p", { class: "toast-text", text }));
    el.classList.add("show");
    clearTimeout(ctx.toastTimer);
    ctx.toastTimer = setTimeout(() => el.classList.remove("show"), 4000);
  },
  online: () => navigator.onLine,
  elder: () => document.documentElement.classList.contains("elder"),
  setElder(on) {
    document.documentElement.classList.toggle("elder", on);
    try { localStorage.setItem(ELDER_KEY, on ? "1" : "0"); } catch (e) { logError("elder.storage", e); /* not remembered */ }
  },
};
