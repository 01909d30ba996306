// The inbox without reload: a cheap ETag poll of /api/notifications while the app is open and
// online (and at once when the service worker reports a push).
import { ApiError, request } from "./api.js";
import { ctx } from "./context.js";
import { notifyData } from "./router.js";
import { updateUnread } from "./tabs.js";

const POLL_MS = 30000;
let pollTimer = null;
let notificationsEtag = null;

export async function pollNotifications() {
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
      notifyData();
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return; // this server has no inbox yet
  }
  pollTimer = setTimeout(pollNotifications, POLL_MS);
}

export function startPolling() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(pollNotifications, 500);
}

// The session ended: no more polls, and the next user starts without this one's ETag.
export function stopPolling() {
  clearTimeout(pollTimer);
  notificationsEtag = null;
}
