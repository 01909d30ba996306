// The tab bar: which tabs the user's capabilities give, the current one, and the unread count on 消息.
import { passwordChangeRequired } from "./accounts.js";
import { can } from "./capabilities.js";
import { ctx } from "./context.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";

// `needs`: the capability that brings the tab (none: everyone has it).
const TABS = [
  { key: "households", hash: "#/households", needs: "households.view" },
  { key: "tasks", hash: "#/tasks", needs: null },
  { key: "inbox", hash: "#/inbox", needs: null },
  { key: "queue", hash: "#/queue", needs: "cases.queue" },
  { key: "reports", hash: "#/reports", needs: "reports.view" },
  { key: "me", hash: "#/me", needs: null },
];

export function tabsFor(user) {
  return TABS.filter((tab) => !tab.needs || can(user, tab.needs));
}

export function renderTabs(active) {
  const nav = document.getElementById("tab-bar");
  clear(nav);
  nav.hidden = !ctx.user || passwordChangeRequired(ctx.user); // no way out of 修改密码 while forced
  if (nav.hidden) return;
  nav.setAttribute("aria-label", t("tab.nav"));
  const list = h("ul", { class: "tab-list" });
  for (const tab of tabsFor(ctx.user)) {
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

// Recount the unread notifications in the local copy; redraw the tabs when the count changed.
export async function updateUnread() {
  if (!ctx.db) return;
  const items = await ctx.db.all("notifications");
  const unread = items.filter((n) => !n.read_at).length;
  if (unread !== ctx.unread) {
    ctx.unread = unread;
    renderTabs(ctx.activeTab);
  }
}
