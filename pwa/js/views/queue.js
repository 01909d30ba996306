// 待办: cases whose current holder is me (for those with the cases.queue capability); above them,
// for those who manage people, 待交接 (households of a stopped member, views/handover.js).
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { logError } from "../errlog.js";
import { t } from "../i18n.js";
import { caseCard, empty } from "./common.js";
import { withAwaiting } from "./handover.js";

export async function render(ctx) {
  const root = h("div", { class: "screen" });
  let fromServer = false;
  if (navigator.onLine) {
    try {
      const items = await api.all("/api/cases?awaiting=me", 100);
      await ctx.sync.saveServer("cases", items);
      await ctx.db.setMeta("queue", items.map((c) => c.id));
      fromServer = true;
    } catch (e) {
      logError("queue", e); // the network dropped: the local copy serves
    }
  }
  async function draw() {
    const ids = new Set(await ctx.db.getMeta("queue", []));
    const pending = await ctx.sync.pendingRefs();
    const cases = (await ctx.db.all("cases")).filter((c) => ids.has(c.id) ||
      (c.holder && ctx.user && c.holder.id === ctx.user.id && c.status !== "closed"));
    cases.sort((a, b) => (b.urgency === "urgent") - (a.urgency === "urgent") || String(a.due_at).localeCompare(String(b.due_at)));
    clear(root);
    if (!fromServer && !navigator.onLine) root.append(h("p", { class: "notice", text: t("queue.offline") }));
    root.append(cases.length ? h("ul", { class: "cards" }, cases.map((c) => caseCard(c, pending.has(`cases:${c.id}`))))
      : h("div", {}, empty(t("queue.empty"))));
  }
  await draw();
  ctx.onData(draw);
  return withAwaiting(ctx, root);
}
