// Web Push opt-in from the page: permission, subscription, and telling the server.
// Every failure becomes a plain Chinese message; the in-app inbox works without any of this.
import { api } from "./api.js";
import { logError } from "./errlog.js";
import { t } from "./i18n.js";

export class PushError extends Error {}

export function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

export function permission() {
  return supported() ? Notification.permission : "unsupported";
}

function keyBytes(base64url) {
  const pad = "=".repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob((base64url + pad).replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function registration() {
  return navigator.serviceWorker.ready;
}

export async function isSubscribed() {
  if (!supported() || Notification.permission !== "granted") return false;
  try {
    const reg = await registration();
    return Boolean(await reg.pushManager.getSubscription());
  } catch (e) {
    logError("push.state", e); // shown as not subscribed
    return false;
  }
}

export async function enable() {
  if (!supported()) throw new PushError(t("push.unsupported"));
  const result = await Notification.requestPermission();
  if (result !== "granted") throw new PushError(t("push.denied"));
  if (!navigator.onLine) throw new PushError(t("push.needs_network"));
  let key;
  try {
    key = (await api.get("/api/push/key")).public_key;
  } catch (e) {
    throw new PushError(t("push.failed", { why: e.message }));
  }
  const reg = await registration();
  let sub;
  try {
    sub = await reg.pushManager.getSubscription();
    if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  } catch (e) {
    logError("push.subscribe", e); // the user sees only that the push service is unreachable
    throw new PushError(t("push.failed", { why: t("push.service") }));
  }
  try {
    await api.post("/api/push/subscriptions", sub.toJSON());
  } catch (e) {
    await sub.unsubscribe().catch((err) => logError("push.unsubscribe", err));
    throw new PushError(t("push.failed", { why: e.message }));
  }
  return true;
}

export async function disable() {
  if (!supported()) return;
  const reg = await registration();
  const sub = await reg.pushManager.getSubscription();
  if (!sub) return;
  try {
    await api.del("/api/push/subscriptions", sub.toJSON());
  } catch (e) {
    logError("push.forget", e); // the server forgets it on its next 404/410 anyway
  }
  await sub.unsubscribe().catch((e) => logError("push.unsubscribe", e));
}
