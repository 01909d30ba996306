// The header's status line (role=status): offline, 待同步 N 条 / 已同步, syncing, refused writes.
import { ctx } from "./context.js";
import { t } from "./i18n.js";

export function renderStatus() {
  const el = document.getElementById("sync-status");
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
