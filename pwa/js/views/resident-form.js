// 添加家庭成员 / 修改家庭成员 (households.manage): 姓名, 与户主关系, 性别, 出生年份, 电话, 重点人群,
// 身份证号 (optional; the server checks its check digit, reads birth year and gender from it and
// answers it masked). The server's refusals are shown at the field they name. Online only.
import { api } from "../api.js";
import { h } from "../dom.js";
import { logError } from "../errlog.js";
import { label, t } from "../i18n.js";
import { empty, errorBox } from "./common.js";
import { errorField, showFieldErrors } from "./form-fields.js";
import { offlineScreen } from "./household-form.js";
import { codes } from "./register.js";

export async function render(ctx, [idText], hash = location.hash) {
  if (!navigator.onLine) return offlineScreen();
  const adding = /\/residents\/new$/.test(hash);
  let r = null;
  if (!adding) {
    try {
      r = await api.get(`/api/residents/${Number(idText)}`);
    } catch (e) {
      logError("resident-form", e);
      return e.status === 404 ? h("div", { class: "screen" }, empty(t("resident.not_found"))) : errorBox(e);
    }
  }
  const householdId = adding ? Number(idText) : r.household_id;
  const choose = (group, chosen, blank) => [blank ? h("option", { value: "", text: blank }) : null,
    ...codes(group).map((c) => h("option", { value: c, text: label(group, c), selected: c === chosen }))];
  const fields = {
    name: errorField(t("resident.name"), h("input", { type: "text", name: "name", maxlength: "40", required: true, value: r ? r.name : "" })),
    relation: errorField(t("resident.relation"), h("select", { name: "relation", required: true }, choose("relation", r ? r.relation : "other"))),
    gender: errorField(t("resident.gender"), h("select", { name: "gender" }, choose("gender", r ? r.gender : "", t("resident.gender_unknown")))),
    birth_year: errorField(t("resident.birth_year"), h("input", { type: "number", name: "birth_year", min: "1900", max: "2100", inputmode: "numeric", value: r && r.birth_year ? String(r.birth_year) : "" })),
    phone: errorField(t("resident.phone"), h("input", { type: "tel", name: "phone", maxlength: "20", inputmode: "tel", value: r ? r.phone : "" })),
    id_number: errorField(t("resident.id_number"), h("input", { type: "text", name: "id_number", maxlength: "18", autocomplete: "off", placeholder: r && r.id_number ? r.id_number : "" }), t("resident.id_hint")),
  };
  const careBoxes = codes("care").map((c) => h("input", { type: "checkbox", name: "care", value: c, checked: Boolean(r && r.care.includes(c)) }));
  const careField = h("fieldset", { class: "field choices" },
    h("legend", { class: "field-label", text: t("resident.care") }),
    h("div", { class: "choice-grid" }, careBoxes.map((box) => h("label", { class: "choice" }, box, h("span", { text: label("care", box.value) })))));
  const message = h("p", { class: "form-error", role: "alert" });

  const form = h("form", { class: "form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    message.textContent = "";
    const body = {
      name: fields.name.control.value.trim(),
      relation: fields.relation.control.value,
      gender: fields.gender.control.value,
      birth_year: fields.birth_year.control.value ? Number(fields.birth_year.control.value) : null,
      phone: fields.phone.control.value.trim(),
      care: careBoxes.filter((b) => b.checked).map((b) => b.value),
    };
    const idNumber = fields.id_number.control.value.trim();
    if (idNumber) body.id_number = idNumber;
    if (showFieldErrors(fields, body.name ? {} : { name: t("error.required", { label: t("resident.name") }) })) return;
    try {
      const saved = adding ? await api.post(`/api/households/${householdId}/residents`, body)
        : await api.patch(`/api/residents/${r.id}`, body);
      ctx.toast(t("resident.saved"));
      ctx.navigate(`#/residents/${saved.id}`);
    } catch (err) {
      logError("resident-form.save", err);
      const byField = Object.fromEntries(Object.entries(err.fields || {}).map(([k, v]) => [k, [].concat(v)[0]]));
      if (!showFieldErrors(fields, byField)) message.textContent = err.message;
    }
  } } },
  Object.values(fields).map((f) => f.node), careField, message,
  h("button", { type: "submit", class: "button primary block big", text: t("resident.save") }));
  return h("div", { class: "screen" }, form);
}
