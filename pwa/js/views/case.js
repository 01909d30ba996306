// The case page: facts, the timeline of events, and the actions the server says the caller
// may take now ("actions"): 上报 派单 接单 布置任务 办结 销号 重新打开, comments, and the practice of
// 接诉即办: 回访 (offline, through the outbox) 退回 退单 撤回 改派 合并. A likely duplicate (another
// open case of the same category on the household, on the phone or named by the server) is shown.
// A step written with a note may carry photos (拍照), queued before it as a visit's are; the
// timeline shows each step's photos. The server sends the newest steps; 更早的记录 loads older ones.
import { ApiError, api } from "../api.js";
import { append, clear, field, h, isoNow, uuid } from "../dom.js";
import { logError } from "../errlog.js";
import { fmtDate, fmtTime, label, t } from "../i18n.js";
import { photoPicker, photoStrip, queuePhotos } from "../photos.js";
import { button, dl, empty, errorBox, section, syncChip } from "./common.js";

const ORDER = ["revisit", "escalate", "dispatch", "accept", "assign_task", "resolve", "close", "return", "reject",
  "recall", "reassign", "merge", "reopen", "comment"];
const TEXT_FIELD = { escalate: ["reason", "case.reason", true], resolve: ["resolution", "case.resolution", true],
  reopen: ["reason", "case.reason", false], comment: ["body", "case.comment", true],
  return: ["reason", "case.return_reason", true], reject: ["reason", "case.reject_reason", true],
  recall: ["reason", "case.recall_reason", true] };
const OPEN = ["open", "escalated", "dispatched", "in_progress"];
const SATISFACTIONS = ["satisfied", "basic", "unsatisfied"];
const SATISFIED = ["satisfied", "basic"];
const REVISIT_MODES = ["door", "phone"];
// The steps whose form offers 拍照: those written with a note (a task, a dispatch, 接单 and 合并 have none).
const NO_PHOTOS = ["assign_task", "dispatch", "accept", "merge"];

// Other open cases of the same category on this household: the phone's own copies (a case made
// offline is checked at once) and those the server named (similar_open).
async function similarCases(ctx, c) {
  if (!OPEN.includes(c.status) || c.household_id === undefined) return [];
  const local = (await ctx.db.byIndex("cases", "household_id", c.household_id))
    .filter((o) => o.id !== c.id && o.category === c.category && OPEN.includes(o.status) && !o.merged_into_id);
  const byId = new Map(local.map((o) => [o.id, o]));
  for (const o of c.similar_open || []) if (!byId.has(o.id) && OPEN.includes(o.status)) byId.set(o.id, o);
  return [...byId.values()];
}

function choice(name, code, group) {
  return h("label", { class: "choice single" }, h("input", { type: "radio", name, value: code }), h("span", { text: label(group, code) }));
}

// The value a control holds: a fieldset of radio buttons holds the one checked.
function valueOf(el) {
  if (el.tagName === "FIELDSET") {
    const on = el.querySelector("input:checked");
    return on ? on.value : "";
  }
  return String(el.value).trim();
}

async function cachedList(ctx, key, path) {
  if (navigator.onLine) {
    try {
      const items = await api.all(path);
      await ctx.db.setMeta(key, items);
      return items;
    } catch (e) {
      logError(key, e); // the choices kept from last time serve
    }
  }
  return ctx.db.getMeta(key, []);
}

async function load(ctx, id) {
  if (navigator.onLine) {
    try {
      await ctx.sync.saveServer("cases", [await api.get(`/api/cases/${encodeURIComponent(id)}`)]);
    } catch (e) {
      logError(`case ${id}`, e); // the phone's copy serves (one opened offline is not on the server yet)
    }
  }
  const c = await ctx.db.get("cases", id);
  if (!c) throw new ApiError({ status: 0, message: navigator.onLine ? t("case.not_found") : t("case.offline_unavailable") });
  return c;
}

// The phone's own copies of a step's photos (waiting to go up, or just sent).
function localPhotos(ev, photos) {
  const ids = new Set((ev.attachments || []).map((a) => (typeof a === "string" ? a : a.id)));
  return photos.filter((p) => ids.has(p.id));
}

function eventItem(ev, photos) {
  const d = ev.data || {};
  const text = d.reason || d.resolution || d.body || d.note || d.notes || d.no_revisit_reason || d.title ||
    d.into_title || "";
  const whom = d.to_name || d.holder_name;
  return h("li", { class: "timeline-item" },
    h("p", { class: "timeline-head" },
      h("time", { datetime: ev.at, text: fmtTime(ev.at) }),
      ev.pending ? syncChip(true) : null),
    h("p", { class: "timeline-title", text: `${label("event", ev.type, "case.event_other")} · ${(ev.actor && ev.actor.name) || ""}` }),
    d.satisfaction ? h("p", { class: "timeline-text", text: label("satisfaction", d.satisfaction) }) : null,
    text ? h("p", { class: "timeline-text", text }) : null,
    d.department_name ? h("p", { class: "card-sub", text: d.department_name }) : null,
    whom ? h("p", { class: "card-sub", text: whom }) : null,
    photoStrip(ev.attachments, localPhotos(ev, photos)));
}

// Newest first; steps in the same second keep their recorded order (the server's is chronological).
function newestFirst(events) {
  return events.map((e, i) => [e, i])
    .sort(([a, i], [b, j]) => String(b.at).localeCompare(String(a.at)) || j - i)
    .map(([e]) => e);
}

async function actionForm(ctx, c, action, done) {
  const controls = {};
  const parts = [];
  if (TEXT_FIELD[action]) {
    const [name, key, required] = TEXT_FIELD[action];
    controls[name] = h("textarea", { name, rows: "3", maxlength: "2000", required });
    parts.push(field(t(key), controls[name]));
  } else if (action === "dispatch") {
    const depts = await cachedList(ctx, "departments", "/api/departments");
    controls.department_id = h("select", { name: "department_id", required: true },
      h("option", { value: "", text: t("case.choose") }),
      depts.map((d) => h("option", { value: String(d.id), text: d.name })));
    parts.push(field(t("case.department"), controls.department_id));
  } else if (action === "assign_task") {
    const users = await cachedList(ctx, "users", "/api/users");
    controls.title = h("input", { type: "text", name: "title", maxlength: "100", required: true });
    controls.assignee_id = h("select", { name: "assignee_id", required: true },
      h("option", { value: "", text: t("case.choose") }),
      users.map((u) => h("option", { value: String(u.id), text: t("person.with_role", { name: u.name, role: label("role", u.role) }) })));
    const due = new Date(Date.now() + 7 * 864e5);
    controls.due = h("input", { type: "date", name: "due_at", required: true, value: due.toISOString().slice(0, 10) });
    parts.push(field(t("case.task_title"), controls.title), field(t("case.assignee"), controls.assignee_id),
      field(t("case.task_due"), controls.due));
  } else if (action === "reassign") {
    controls.holder_id = h("select", { name: "holder_id", required: true },
      h("option", { value: "", text: t("case.choose") }),
      (c.reassign_to || []).map((u) => h("option", { value: String(u.id), text: t("person.with_role", { name: u.name, role: label("role", u.role) }) })));
    controls.reason = h("textarea", { name: "reason", rows: "2", maxlength: "500", required: true });
    parts.push(field(t("case.reassign_to"), controls.holder_id), field(t("case.reassign_reason"), controls.reason));
  } else if (action === "revisit") {
    controls.satisfaction = h("fieldset", { class: "field choices", required: true, "data-label": t("case.satisfaction") },
      h("legend", { class: "field-label", text: t("case.satisfaction") }),
      h("div", { class: "choice-grid" }, SATISFACTIONS.map((code) => choice("satisfaction", code, "satisfaction"))));
    controls.mode = h("select", { name: "mode" }, REVISIT_MODES.map((m) => h("option", { value: m, text: label("mode", m) })));
    controls.notes = h("textarea", { name: "notes", rows: "3", maxlength: "2000" });
    parts.push(controls.satisfaction, field(t("case.revisit_mode"), controls.mode), field(t("case.revisit_notes"), controls.notes));
  } else if (action === "merge") {
    const others = await similarCases(ctx, c);
    controls.into_case_id = h("select", { name: "into_case_id", required: true },
      h("option", { value: "", text: t("case.choose") }),
      others.map((o) => h("option", { value: o.id, text: o.title || t("case.untitled"), selected: others.length === 1 })));
    controls.reason = h("textarea", { name: "reason", rows: "2", maxlength: "500" });
    parts.push(field(t("case.merge_into"), controls.into_case_id), field(t("case.merge_reason"), controls.reason));
  } else if (action === "close" && !SATISFIED.includes(c.satisfaction)) {
    controls.no_revisit_reason = h("textarea", { name: "no_revisit_reason", rows: "2", maxlength: "500", required: true });
    parts.push(field(t("case.no_revisit_reason"), controls.no_revisit_reason, t("case.no_revisit_hint")));
  }
  const picker = NO_PHOTOS.includes(action) ? null : photoPicker();
  const error = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "form panel action-form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    for (const el of Object.values(controls)) {
      if (el.required && !valueOf(el)) {
        const lbl = form.querySelector(`label[for="${el.id}"]`);
        error.textContent = t("error.required", { label: el.dataset.label || (lbl ? lbl.textContent : "") });
        (el.querySelector("input") || el).focus();
        return;
      }
    }
    if (action === "assign_task") {
      const [y, m, d] = controls.due.value.split("-").map(Number);
      await ctx.sync.enqueue("task.create", {
        id: uuid(), case_id: c.id, assignee_id: Number(controls.assignee_id.value),
        title: controls.title.value.trim(), due_at: isoNow(new Date(y, m - 1, d, 18, 0, 0)),
      });
    } else {
      const data = { id: uuid(), at: isoNow(), case_id: c.id, action };
      for (const [name, el] of Object.entries(controls)) {
        const value = valueOf(el);
        if (value) data[name] = name === "department_id" || name === "holder_id" ? Number(value) : value;
      }
      const chosen = picker ? await picker.photos() : [];
      if (chosen.length) { // uploaded first; the step waits with the case until they are up
        data.attachments = await queuePhotos(ctx, chosen, { store: "cases", id: c.id }, { keepLocation: picker.keepLocation() });
      }
      await ctx.sync.enqueue("case.action", data);
    }
    ctx.toast(navigator.onLine ? t("case.sent") : t("case.queued"));
    done(true);
  } } },
  h("h3", { class: "section-title", text: t(`action.${action}`) }),
  parts,
  picker ? picker.node : null,
  error,
  h("div", { class: "button-row" },
    h("button", { type: "submit", class: "button primary", text: t("case.confirm") }),
    button(t("case.cancel"), () => done(false))));
  return form;
}

export async function render(ctx, [id]) {
  const root = h("div", { class: "screen" });
  let c;
  try {
    c = await load(ctx, id);
  } catch (e) {
    logError(`case ${id}`, e);
    return errorBox(e);
  }

  let openingForm = false; // a form is loading its choices (departments, people)

  async function draw() {
    const fresh = (await ctx.db.get("cases", id)) || c;
    const pending = await ctx.sync.pendingRefs();
    const similar = await similarCases(ctx, fresh);
    const hh = fresh.household_id ? await ctx.db.get("households", fresh.household_id) : null;
    const photos = await ctx.db.all("photos");
    // never wipe a form the user is filling in, nor one that is still being built
    if (openingForm || root.querySelector(".action-form")) return;
    c = fresh;
    clear(root);
    // 合并 is offered where there is something to merge into: a likely duplicate on this household.
    const actions = ORDER.filter((a) => (c.actions || []).includes(a) && (a !== "merge" || similar.length));
    const formSlot = h("div", { class: "form-slot" });
    const actionButtons = actions.map((a) => button(t(`action.${a}`), async () => {
      openingForm = true;
      let form;
      try {
        form = await actionForm(ctx, c, a, async (sent) => {
          clear(formSlot);
          if (sent) {
            await ctx.sync.run();
            try {
              c = await load(ctx, id);
            } catch (e) {
              logError(`case ${id}`, e); // keep the copy on screen
            }
            draw();
          }
        });
      } finally {
        openingForm = false;
      }
      clear(formSlot).append(form);
      const first = formSlot.querySelector("textarea, select, input");
      if (first) first.focus();
    }, a === actions[0] ? "primary" : "secondary"));
    append(root, [
      h("h2", { class: "page-heading", text: c.title || t("case.untitled") }),
      pending.has(`cases:${c.id}`) ? h("p", { class: "notice" }, syncChip(true)) : null,
      similar.length ? h("div", { class: "notice similar", role: "note" }, h("p", { text: t("case.similar") }),
        h("ul", { class: "plain-list" }, similar.map((o) => h("li", {}, h("a", { href: `#/cases/${o.id}`, text: o.title || t("case.untitled") }))))) : null,
      c.merged_into_id ? h("p", { class: "notice" }, t("case.merged_into"),
        h("a", { href: `#/cases/${c.merged_into_id}`, text: t("case.open_case") })) : null,
      dl([
        [t("case.status"), label("case_status", c.status)],
        c.level ? [t("case.level"), label("level", c.level)] : null,
        c.holder ? [t("case.holder"), c.holder.name] : null,
        [t("case.household"), hh ? h("a", { href: `#/households/${hh.id}`, text: hh.head_name }) : (c.household && c.household.head_name) || ""],
        [t("case.category"), label("category", c.category)],
        [t("case.urgency"), label("urgency", c.urgency || "normal")],
        c.due_at ? [t("case.due"), fmtDate(c.due_at)] : null,
        c.satisfaction ? [t("case.revisit_result"), label("satisfaction", c.satisfaction)] : null,
      ]),
      c.description ? section("case.description", h("p", { class: "timeline-text", text: c.description })) : null,
      section("case.actions",
        actions.length ? h("div", { class: "button-row wrap" }, actionButtons) : empty(t("case.no_actions")),
        formSlot),
      section("case.timeline", (c.events || []).length
        ? h("ul", { class: "timeline" }, newestFirst(c.events).map((ev) => eventItem(ev, photos)))
        : empty(t("household.no_timeline")), olderControl()),
    ]);
  }

  // 更早的记录: the server's next page of older steps, kept with the case (offline: what is kept).
  function olderControl() {
    if (!c.events_next) return null;
    if (!navigator.onLine) return h("p", { class: "card-sub", text: t("case.older_offline") });
    return button(t("case.older"), async (e) => {
      const btn = e && e.currentTarget;
      if (btn) btn.disabled = true;
      try {
        const page = await api.get(`/api/cases/${encodeURIComponent(c.id)}/events?cursor=${encodeURIComponent(c.events_next)}`);
        await ctx.sync.saveServer("cases", [{ id: c.id, older_events: page.items, older_next: page.next, older_after: c.events_next }]);
      } catch (err) {
        logError(`case ${id} older`, err);
        ctx.toast(t("case.older_failed"));
      }
      draw();
    }, "secondary");
  }
  await draw();
  ctx.onData(draw);
  return root;
}
