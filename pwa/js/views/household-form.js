// 新增住户 (households.manage): 户编号 (optional: the next number of the village), 户主, 住址, 人口,
// 电话, 网格, 包联党员, 标签, 困难户. Online only; the server's refusals are shown at the field
// they name, and the new household goes straight into the local copy (its member's phone gets
// it at their next sync).
import { api } from "../api.js";
import { append, clear, h } from "../dom.js";
import { logError } from "../errlog.js";
import { HOUSEHOLD_TAGS, t } from "../i18n.js";
import { errorBox } from "./common.js";
import { errorField, showFieldErrors } from "./form-fields.js";

export function offlineScreen() {
  return h("div", { class: "screen" }, h("p", { class: "panel notice", text: t("register.offline") }));
}

function memberLabel(m, cap) {
  return t("register.member_option", { name: m.name, covered: m.covered, cap });
}

export async function render(ctx) {
  if (!navigator.onLine) return offlineScreen();
  let places;
  try {
    places = await api.get("/api/register/places");
  } catch (e) {
    logError("household-form", e);
    return errorBox(e);
  }
  const villages = new Set(places.grids.map((g) => g.village && g.village.id));
  const gridName = (g) => (villages.size > 1 && g.village ? `${g.village.name} ${g.name}` : g.name);
  const fields = {
    household_no: errorField(t("register.household_no"), h("input", { type: "text", name: "household_no", maxlength: "20", autocomplete: "off" }), t("register.household_no_hint")),
    head_name: errorField(t("edit.head_name"), h("input", { type: "text", name: "head_name", maxlength: "40", required: true })),
    address: errorField(t("edit.address"), h("input", { type: "text", name: "address", maxlength: "200", required: true })),
    people: errorField(t("edit.people"), h("input", { type: "number", name: "people", min: "1", max: "30", value: "1", inputmode: "numeric", required: true })),
    phone: errorField(t("edit.phone"), h("input", { type: "tel", name: "phone", maxlength: "20", inputmode: "tel" })),
    org_unit_id: errorField(t("register.grid"), h("select", { name: "org_unit_id", required: true },
      h("option", { value: "", text: t("register.choose") }),
      places.grids.map((g) => h("option", { value: String(g.id), text: gridName(g), selected: places.grids.length === 1 })))),
    member_id: errorField(t("register.member"), h("select", { name: "member_id" })),
  };
  const tagBoxes = HOUSEHOLD_TAGS.map((tag) => h("input", { type: "checkbox", name: "tags", value: tag }));
  const hardship = h("input", { type: "checkbox", name: "hardship", id: "new-hardship" });
  const message = h("p", { class: "form-error", role: "alert" });
  const gridSelect = fields.org_unit_id.control;
  const memberSelect = fields.member_id.control;

  function drawMembers() {
    const grid = Number(gridSelect.value);
    append(clear(memberSelect), [h("option", { value: "", text: t("register.no_member") }),
      places.members.filter((m) => m.org_unit_id === grid).map((m) => h("option", {
        value: String(m.id), text: memberLabel(m, places.cap), disabled: m.covered >= places.cap,
      }))]);
  }
  gridSelect.addEventListener("change", drawMembers);
  drawMembers();

  const form = h("form", { class: "form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    message.textContent = "";
    const body = {
      head_name: fields.head_name.control.value.trim(),
      address: fields.address.control.value.trim(),
      people: Number(fields.people.control.value),
      tags: tagBoxes.filter((b) => b.checked).map((b) => b.value),
      hardship: hardship.checked,
    };
    const no = fields.household_no.control.value.trim();
    const phone = fields.phone.control.value.trim();
    if (no) body.household_no = no;
    if (phone) body.phone = phone;
    if (gridSelect.value) body.org_unit_id = Number(gridSelect.value);
    if (memberSelect.value) body.member_id = Number(memberSelect.value);
    const missing = {};
    if (!body.head_name) missing.head_name = t("error.required", { label: t("edit.head_name") });
    if (!body.address) missing.address = t("error.required", { label: t("edit.address") });
    if (!Number.isInteger(body.people) || body.people < 1 || body.people > 30) missing.people = t("error.required", { label: t("edit.people") });
    if (!body.org_unit_id) missing.org_unit_id = t("error.required", { label: t("register.grid") });
    if (showFieldErrors(fields, missing)) return;
    try {
      const made = await api.post("/api/households", body);
      const { recent_visits: _visits, cases: _cases, ...household } = made;
      await ctx.sync.saveServer("households", [household]);
      ctx.toast(t("register.saved", { name: made.head_name, no: made.household_no }));
      ctx.navigate(`#/households/${made.id}`);
    } catch (err) {
      logError("household-form.save", err);
      const byField = Object.fromEntries(Object.entries(err.fields || {}).map(([k, v]) => [k, [].concat(v)[0]]));
      if (!showFieldErrors(fields, byField)) message.textContent = err.message;
    }
  } } },
  Object.values(fields).map((f) => f.node),
  h("fieldset", { class: "field choices" },
    h("legend", { class: "field-label", text: t("edit.tags") }),
    h("div", { class: "choice-grid" }, tagBoxes.map((box) => h("label", { class: "choice" }, box, h("span", { text: box.value }))))),
  h("div", { class: "field" }, h("label", { class: "choice single", for: "new-hardship" }, hardship, h("span", { text: t("edit.hardship") }))),
  message,
  h("button", { type: "submit", class: "button primary block big", text: t("register.save") }));
  return h("div", { class: "screen" }, form);
}
