// 消息: the in-app inbox, the record of every notification (pushed or not). Opening one marks
// it read through the outbox, like every other write: offline too, and never undone by a poll.
import { clear, h, uuid } from "../dom.js";
import { fmtTime, t } from "../i18n.js";
import { empty } from "./common.js";

export function target(n) {
  const ref = n.ref || {};
  if (ref.type === "task") return `#/tasks/${ref.id}`;
  if (ref.type === "case") return `#/cases/${ref.id}`;
  // 走访提醒 names the first of the member's unvisited households: open it (记录走访 is there).
  if (ref.type === "household" && ref.id !== null && ref.id !== undefined) return `#/households/${ref.id}`;
  return null;
}

export async function render(ctx) {
  const root = h("div", { class: "screen" });
  async function markRead(n) {
    if (!n.read_at) await ctx.sync.enqueue("notification.read", { notification_id: n.id }, uuid());
  }
  async function draw() {
    const items = await ctx.db.all("notifications");
    items.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    clear(root);
    if (!items.length) {
      root.append(empty(t("inbox.empty")));
      return;
    }
    root.append(h("ul", { class: "cards" }, items.map((n) => {
      const href = target(n);
      const open = async (e) => {
        e.preventDefault();
        await markRead(n);
        if (href) ctx.navigate(href); else draw();
      };
      return h("li", { class: ["card", n.read_at ? "" : "unread"] },
        h("h2", { class: "card-title" }, h("a", { href: href || "#/inbox", class: "card-link", text: n.title, on: { click: open } })),
        n.body ? h("p", { class: "card-sub", text: n.body }) : null,
        h("p", { class: "card-meta" },
          n.read_at ? null : h("span", { class: "chip chip-urgent", text: t("inbox.unread") }),
          h("time", { class: "meta-text", datetime: n.created_at, text: fmtTime(n.created_at) })));
    })));
  }
  await draw();
  ctx.onData(draw);
  ctx.pollNotifications();
  return root;
}
