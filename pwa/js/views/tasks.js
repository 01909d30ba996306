// 任务: my tasks, 接受 and 完成; #/tasks/<id> opens one (where a push notification leads).
import { clear, h, isoNow, uuid } from "../dom.js";
import { fmtDate, label, t } from "../i18n.js";
import { button, empty, syncChip } from "./common.js";

function card(ctx, task, pending, single) {
  const overdue = task.status !== "done" && task.due_at && new Date(task.due_at) < new Date();
  const act = (action) => async () => {
    await ctx.sync.enqueue("task.action", { id: uuid(), at: isoNow(), task_id: task.id, action });
    ctx.toast(navigator.onLine ? t("case.sent") : t("case.queued"));
  };
  const headingTag = "h2";
  const mine = task.assignee_id === ctx.user.id; // the server lets only the assignee move it on
  return h(single ? "article" : "li", { class: "card task-card", id: `task-${task.id}` },
    h(headingTag, { class: "card-title" }, single ? task.title : h("a", { href: `#/tasks/${task.id}`, class: "card-link", text: task.title })),
    h("p", { class: "card-meta" },
      h("span", { class: ["chip", `task-${task.status}`], text: label("task_status", task.status) }),
      overdue ? h("span", { class: "chip chip-urgent", text: t("tasks.overdue") }) : null,
      task.due_at ? h("span", { class: "meta-text", text: t("tasks.due", { date: fmtDate(task.due_at) }) }) : null,
      pending ? syncChip(true) : null),
    h("div", { class: "button-row card-actions" },
      mine && task.status === "assigned" ? button(label("task_action", "accept"), act("accept"), "primary") : null,
      mine && task.status !== "done" ? button(label("task_action", "complete"), act("complete"), task.status === "accepted" ? "primary" : "secondary") : null,
      task.case_id ? h("a", { href: `#/cases/${task.case_id}`, class: "button secondary", text: t("tasks.case") }) : null));
}

export async function render(ctx, params = []) {
  const [id] = params;
  const root = h("div", { class: "screen" });
  async function draw() {
    const pending = await ctx.sync.pendingRefs();
    const tasks = await ctx.db.all("tasks");
    clear(root);
    if (id) {
      const task = tasks.find((x) => String(x.id) === String(id));
      root.append(task ? card(ctx, task, pending.has(`tasks:${task.id}`), true) : empty(t("tasks.not_found")));
      return;
    }
    const mine = tasks.filter((x) => x.assignee_id === ctx.user.id);
    mine.sort((a, b) => (a.status === "done") - (b.status === "done") || String(a.due_at).localeCompare(String(b.due_at)));
    root.append(mine.length ? h("ul", { class: "cards" }, mine.map((x) => card(ctx, x, pending.has(`tasks:${x.id}`), false)))
      : empty(t("tasks.empty")));
  }
  await draw();
  ctx.onData(draw);
  if (navigator.onLine) ctx.sync.kick();
  return root;
}
