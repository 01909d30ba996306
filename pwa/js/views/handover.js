// 交接: a member's households (and their open cases) to another member of the village, all to
// one or household by household, in one step on the server (all or nothing; a member who would
// go over the cap is named). Also the 待交接 part of 待办: households whose member was stopped.
import { awaitingByMember, fieldErrors, handoverCandidates, handoverPlan } from "../accounts.js";
import { api } from "../api.js";
import { can } from "../capabilities.js";
import { append, clear, field, h } from "../dom.js";
import { logError } from "../errlog.js";
import { t } from "../i18n.js";
import { empty, errorBox } from "./common.js";
import { errorField, showFieldErrors } from "./form-fields.js";
import { findPerson, offlineScreen } from "./people.js";

function memberOptions(select, candidates, placeholder) {
  append(clear(select), [h("option", { value: "", text: placeholder }),
    candidates.map((u) => h("option", { value: String(u.id), text: t("handover.candidate", { name: u.name, unit: u.org_unit ? u.org_unit.name : "" }) }))]);
  return select;
}

export async function render(ctx, [idText]) {
  if (!navigator.onLine) return offlineScreen();
  const id = Number(idText);
  let person;
  let homes;
  let candidates;
  try {
    person = await findPerson(id);
    if (!person) return h("div", { class: "screen" }, empty(t("people.not_found")));
    const kind = person.org_unit ? person.org_unit.kind : "";
    const [mine, users, units] = await Promise.all([
      api.all(`/api/households?member_id=${id}`, 200),
      api.all(`/api/users?role=${encodeURIComponent(person.role)}&active=1`, 200),
      api.all(`/api/org-units?kind=${encodeURIComponent(kind)}`, 200),
    ]);
    homes = mine.sort((a, b) => a.id - b.id);
    candidates = handoverCandidates(person, users, new Map(units.map((u) => [u.id, u.parent_id])));
  } catch (e) {
    logError(`handover ${id}`, e);
    return errorBox(e);
  }
  const heading = h("h2", { class: "page-heading", text: t("handover.for", { name: person.name, n: homes.length }) });
  if (!homes.length) return h("div", { class: "screen" }, heading, empty(t("handover.none")));
  if (!candidates.length) return h("div", { class: "screen" }, heading, h("p", { class: "panel notice", text: t("handover.no_candidates") }));

  let mode = "all";
  const to = errorField(t("handover.to"), memberOptions(h("select", { name: "to_member_id" }), candidates, t("people.choose")));
  const each = homes.map((hh) => ({
    hh,
    select: memberOptions(h("select", { name: `household-${hh.id}` }), candidates, t("handover.keep")),
  }));
  const allPart = h("div", { class: "stack" }, to.node);
  const eachPart = h("ul", { class: "plain-list handover-list" }, each.map(({ hh, select }) => h("li", {},
    errorField(t("handover.household", { name: hh.head_name, address: hh.address }), select).node)));
  eachPart.hidden = true;
  const modeSelect = h("select", { name: "mode" },
    [["all", "handover.all"], ["each", "handover.each"]].map(([value, key]) => h("option", { value, text: t(key), selected: value === mode })));
  modeSelect.addEventListener("change", () => {
    mode = modeSelect.value;
    allPart.hidden = mode !== "all";
    eachPart.hidden = mode !== "each";
  });
  const modes = field(t("handover.mode"), modeSelect);
  const message = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary block big", text: t("handover.submit") });

  const form = h("form", { class: "form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    message.textContent = "";
    to.clear();
    const choices = Object.fromEntries(each.map(({ hh, select }) => [hh.id, select.value || null]));
    const plan = handoverPlan(mode, { to: to.control.value || null, choices });
    if (plan.problem) {
      if (plan.problem === "choose_member") showFieldErrors({ to }, { to: t("handover.choose_member") });
      else message.textContent = t("handover.nothing");
      return;
    }
    submit.disabled = true;
    submit.textContent = t("handover.busy");
    try {
      const res = await api.post(`/api/users/${id}/handover`, plan.body);
      ctx.toast(t("handover.done", { n: res.moved }));
      ctx.navigate(`#/people/${id}`);
    } catch (err) {
      logError(`handover ${id}`, err);
      submit.disabled = false;
      submit.textContent = t("handover.submit");
      const byField = fieldErrors(err);
      if (mode === "all" && byField.to_member_id) to.show(err.message);
      else message.textContent = err.message;
    }
  } } },
  modes, allPart, eachPart, message, submit);
  return h("div", { class: "screen" }, heading, form);
}

// 待交接 (in 待办, for those who manage people): households whose member was stopped, one card
// per member with the way to their 交接. Nothing when offline or when there are none.
async function awaitingSection(ctx) {
  if (!can(ctx.user, "users.manage") || !navigator.onLine) return null;
  let homes;
  try {
    homes = await api.all("/api/households?awaiting_handover=1", 200);
  } catch (e) {
    logError("queue.awaiting", e);
    return null;
  }
  const groups = awaitingByMember(homes);
  if (!groups.length) return null;
  return h("section", { class: "section", "aria-labelledby": "awaiting-title" },
    h("h2", { class: "section-title", id: "awaiting-title", text: t("handover.awaiting") }),
    h("ul", { class: "cards" }, groups.map(({ member, households }) => h("li", { class: "card" },
      h("p", { class: "card-title", text: t("handover.awaiting_member", { name: member.name, n: households.length }) }),
      h("p", { class: "card-sub", text: households.map((hh) => hh.head_name).join(t("list.sep")) }),
      h("a", { href: `#/people/${member.id}/handover`, class: "button primary card-actions", text: t("handover.link", { name: member.name }) })))));
}

// The 待办 screen with 待交接 above its cases (the screen itself unchanged).
export async function withAwaiting(ctx, screen) {
  const awaiting = await awaitingSection(ctx);
  return awaiting ? h("div", { class: "stack" }, awaiting, screen) : screen;
}
