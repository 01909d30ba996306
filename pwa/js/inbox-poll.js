// The inbox without reload: a cheap ETag poll of /api/notifications while the app is open and
// online (and at once when the service worker reports a push). What arrives goes into the copy
// through the one merge, so a 已读 mark still waiting in the outbox stays.
import { request } from "./api.js";
import { ctx } from "./context.js";
import { logError } from "./errlog.js";
import { notifyData } from "./router.js";
import { updateUnread } from "./tabs.js";

const POLL_MS = 30000;
let pollTimer = null;
let notificationsEtag = null;

export async function pollNotifications() {
  clearTimeout(pollTimer);
  const sync = ctx.sync;
  if (!sync) return; // no session: startPolling() begins again at the next login
  if (!navigator.onLine || document.visibilityState === "hidden" || (ctx.user && ctx.user.must_change_password)) {
    pollTimer = setTimeout(pollNotifications, POLL_MS);
    return;
  }
  try {
    const res = await request("GET", "/api/notifications?limit=50", undefined, { etag: notificationsEtag });
    if (res.status !== 304 && sync === ctx.sync) {
      notificationsEtag = res.etag || null;
      await sync.saveServer("notifications", res.data.items);
      await updateUnread();
      notifyData();
    }
  } catch (e) {
    logError("inbox-poll", e); // offline or a lapsed session: the next poll tries again
  }
  if (sync === ctx.sync) pollTimer = setTimeout(pollNotifications, POLL_MS);
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
