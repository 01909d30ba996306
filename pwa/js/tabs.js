// The tab bar: which tabs a role has, the current one, and the unread count on 消息.
import { ctx } from "./context.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";

const TABS = [
  { key: "households", hash: "#/households", roles: ["member", "informant", "grid_leader", "secretary", "township", "admin"] },
  { key: "tasks", hash: "#/tasks", roles: null },
  { key: "inbox", hash: "#/inbox", roles: null },
  { key: "queue", hash: "#/queue", roles: ["informant", "grid_leader", "secretary", "township", "department", "admin"] },
  { key: "reports", hash: "#/reports", roles: ["secretary", "township", "admin"] },
  { key: "me", hash: "#/me", roles: null },
];

export function tabsFor(user) {
  return TABS.filter((tab) => !tab.roles || tab.roles.includes(user.role));
}

export function renderTabs(active) {
  const nav = document.getElementById("tab-bar");
  clear(nav);
  nav.hidden = !ctx.user;
  if (!ctx.user) return;
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
