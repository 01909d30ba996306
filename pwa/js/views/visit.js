// The visit form: 走访方式, 情况记录, 困难程度, 诉求类别, 需要上报 (queues a case too), 拍照, 保存.
// Saved to the outbox first, so it works the same with no network. Whether 需要上报 is offered
// and whether the case goes one level up at once are the user's capabilities. Photos are
// optional; they are queued before the visit that names them (photos.js).
import { can } from "../capabilities.js";
import { field, h, isoNow, uuid } from "../dom.js";
import { CATEGORIES, HARDSHIP, MODES, label, t } from "../i18n.js";
import { photoPicker, queuePhotos } from "../photos.js";

let currentTitle = null;
export function title() {
  return currentTitle;
}

function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function select(name, codes, group, value) {
  return h("select", { name, required: true },
    codes.map((c) => h("option", { value: c, text: label(group, c), selected: c === value })));
}

export async function render(ctx, [idText]) {
  const id = Number(idText);
  const hh = await ctx.db.get("households", id);
  currentTitle = null;
  if (!hh) return h("p", { class: "empty", text: t("household.not_found") });
  currentTitle = t("visit.title");

  const now = new Date();
  const when = h("input", { type: "datetime-local", name: "visited_at", required: true, value: localInputValue(now), max: localInputValue(now) });
  const mode = select("mode", MODES, "mode", "door");
  const notes = h("textarea", { name: "notes", rows: "5", maxlength: "2000", placeholder: t("visit.notes_hint") });
  const hardship = select("hardship", HARDSHIP, "hardship", hh.hardship ? "mild" : "none");
  const needBoxes = CATEGORIES.map((c) => h("input", { type: "checkbox", name: "needs", value: c }));
  const needs = h("fieldset", { class: "field choices" },
    h("legend", { class: "field-label", text: t("visit.needs") }),
    h("div", { class: "choice-grid" }, needBoxes.map((box, i) => h("label", { class: "choice" }, box, h("span", { text: label("category", CATEGORIES[i]) })))));
  const report = h("input", { type: "checkbox", name: "report", id: "visit-report", "aria-describedby": "visit-report-hint" });
  const caseTitle = h("input", { type: "text", name: "case_title", maxlength: "100" });
  const caseTitleField = field(t("visit.case_title"), caseTitle);
  const mayReport = can(ctx.user, "cases.open");
  caseTitleField.hidden = true;
  const firstNeed = () => needBoxes.find((b) => b.checked)?.value || "other";
  const defaultTitle = () => t("visit.case_title_default", { name: hh.head_name, category: label("category", firstNeed()) });
  report.addEventListener("change", () => {
    caseTitleField.hidden = !report.checked;
    if (report.checked && !caseTitle.value) caseTitle.value = defaultTitle();
  });

  const photos = photoPicker();

  const error = h("p", { class: "form-error", role: "alert" });
  const save = h("button", { type: "submit", class: "button primary block big", text: t("visit.save") });

  const form = h("form", { class: "form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    error.textContent = "";
    const at = new Date(when.value);
    if (Number.isNaN(at.getTime())) {
      error.textContent = t("error.required", { label: t("visit.when") });
      when.focus();
      return;
    }
    if (at.getTime() > Date.now() + 60000) {
      error.textContent = t("visit.future");
      when.focus();
      return;
    }
    save.disabled = true;
    const chosen = needBoxes.filter((b) => b.checked).map((b) => b.value);
    const visitId = uuid();
    const attachments = await queuePhotos(ctx, await photos.photos(), { store: "visits", id: visitId },
      { keepLocation: photos.keepLocation() });
    const visit = {
      id: visitId, household_id: id, visited_at: isoNow(at), mode: mode.value,
      notes: notes.value.trim(), needs: chosen, hardship: hardship.value, attachments,
    };
    await ctx.sync.enqueue("visit.create", visit);
    if (mayReport && report.checked) {
      // 需要上报: open a case on this visit (and, for those who report up, send it one level up at once).
      const caseId = uuid();
      const caseTitleText = caseTitle.value.trim() || defaultTitle();
      await ctx.sync.enqueue("case.create", {
        id: caseId, household_id: id, visit_id: visit.id, category: firstNeed(),
        title: caseTitleText, description: visit.notes || caseTitleText,
        urgency: hardship.value === "urgent" ? "urgent" : "normal", opened_at: visit.visited_at,
      });
      if (can(ctx.user, "cases.report_up")) {
        await ctx.sync.enqueue("case.action", {
          id: uuid(), at: isoNow(), case_id: caseId, action: "escalate", reason: caseTitleText.slice(0, 500),
        });
      }
    }
    ctx.toast(navigator.onLine ? t("visit.saved") : t("visit.saved_offline"));
    ctx.navigate(`#/households/${id}`);
  } } },
  h("p", { class: "form-intro", text: t("visit.for", { name: hh.head_name }) }),
  field(t("visit.when"), when),
  field(t("visit.mode"), mode),
  field(t("visit.notes"), notes),
  field(t("visit.hardship"), hardship),
  needs,
  mayReport ? h("div", { class: "field" },
    h("label", { class: "choice single", for: "visit-report" }, report, h("span", { text: t("visit.report") })),
    h("p", { class: "field-hint", id: "visit-report-hint", text: t("visit.report_hint") })) : null,
  caseTitleField,
  photos.node,
  error,
  save);
  return h("div", { class: "screen" }, form);
}
