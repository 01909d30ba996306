// Pieces several screens share.
import { h } from "../dom.js";
import { fmtDate, label, t } from "../i18n.js";

export function syncChip(pending) {
  return h("span", { class: ["chip", pending ? "chip-pending" : "chip-synced"], text: t(pending ? "status.pending_one" : "status.synced") });
}

export function empty(text) {
  return h("p", { class: "empty", text });
}

export function errorBox(err) {
  return h("div", { class: "panel error", role: "alert" }, h("p", { text: err && err.message ? err.message : t("error.unknown") }));
}

export function section(titleKey, ...children) {
  return h("section", { class: "section" }, h("h2", { class: "section-title", text: t(titleKey) }), children);
}

export function dl(rows) {
  return h("dl", { class: "facts" }, rows.filter(Boolean).map(([k, v]) => h("div", { class: "fact" }, h("dt", { text: k }), h("dd", {}, v))));
}

export function caseCard(c, pending) {
  const title = c.title || t("case.untitled");
  return h("li", { class: "card" },
    h("a", { href: `#/cases/${c.id}`, class: "card-link", text: title }),
    h("p", { class: "card-meta" },
      h("span", { class: ["chip", `status-${c.status}`], text: label("case_status", c.status) }),
      c.urgency === "urgent" ? h("span", { class: "chip chip-urgent", text: label("urgency", "urgent") }) : null,
      c.level ? h("span", { class: "meta-text", text: label("level", c.level) }) : null,
      c.due_at ? h("span", { class: "meta-text", text: t("tasks.due", { date: fmtDate(c.due_at) }) }) : null,
      pending !== undefined ? syncChip(pending) : null));
}

export function button(text, onClick, cls = "secondary", attrs = {}) {
  return h("button", { type: "button", class: ["button", cls], text, on: { click: onClick }, ...attrs });
}
