// 新增人员 and 编辑人员: 姓名, 手机号, 角色, 所在网格 / 村 (the kind of unit follows the role),
// 信息员 (for a role that needs one: an informant of the same grid). Which roles the user may
// give, where each sits and which needs an informant come from the server (accounts.js).
// The server's refusals are shown next to the field they name; a new person's temporary
// password is shown once on their page.
import { catalogueRoles, fieldErrors, personChanges, roleOptions } from "../accounts.js";
import { api } from "../api.js";
import { append, clear, h } from "../dom.js";
import { logError } from "../errlog.js";
import { label, t } from "../i18n.js";
import { empty, errorBox } from "./common.js";
import { errorField, showFieldErrors } from "./form-fields.js";
import { findPerson, offlineScreen, remember } from "./people.js";
import { showSecretOnce } from "./person.js";

const unitsByKind = new Map(); // kind -> units of my scope (few; they change rarely)
let unitNames = null; // id -> name of every unit in my scope, to tell same-named grids apart

async function unitsOf(kind) {
  if (!unitsByKind.has(kind)) unitsByKind.set(kind, await api.all(`/api/org-units?kind=${encodeURIComponent(kind)}`, 200));
  return unitsByKind.get(kind);
}

// Units under more than one parent (a township's grids are all called 第一网格 ...): "西流南村 第一网格".
async function unitLabels(units) {
  const parents = new Set(units.map((u) => u.parent_id));
  if (parents.size <= 1) return new Map(units.map((u) => [u.id, u.name]));
  if (!unitNames) unitNames = new Map((await api.all("/api/org-units", 200)).map((u) => [u.id, u.name]));
  return new Map(units.map((u) => [u.id, unitNames.has(u.parent_id)
    ? t("people.unit_option", { parent: unitNames.get(u.parent_id), name: u.name }) : u.name]));
}

async function loadRoles(ctx) {
  const caps = ctx.user.capabilities || {};
  const people = Array.isArray(caps.manages) ? [] : await api.all("/api/users?managed=1", 200);
  return roleOptions(ctx.user, people, catalogueRoles(globalThis.BAOLIAN_I18N));
}

function options(select, items, chosen, placeholder = t("people.choose")) {
  append(clear(select), [h("option", { value: "", text: placeholder }),
    items.map(([value, text]) => h("option", { value: String(value), text, selected: String(value) === String(chosen ?? "") }))]);
}

export async function render(ctx, [idText]) {
  if (!navigator.onLine) return offlineScreen();
  const editing = idText !== undefined;
  let person = null;
  let roles;
  try {
    person = editing ? await findPerson(Number(idText)) : null;
    roles = await loadRoles(ctx);
  } catch (e) {
    logError("person-form", e);
    return errorBox(e);
  }
  if (editing && !person) return h("div", { class: "screen" }, empty(t("people.not_found")));
  if (!roles.length) return h("div", { class: "screen" }, h("p", { class: "panel notice", text: t("people.no_roles") }));

  const fields = {
    name: errorField(t("people.name"), h("input", { type: "text", name: "name", autocomplete: "off", maxlength: "40", required: true, value: person ? person.name : "" })),
    phone: errorField(t("people.phone"), h("input", { type: "tel", name: "phone", autocomplete: "off", inputmode: "numeric", maxlength: "11", required: true, value: person ? person.phone : "" })),
    role: errorField(t("people.role"), h("select", { name: "role", required: true })),
    org_unit_id: errorField(t("people.unit.other"), h("select", { name: "org_unit_id", required: true })),
    informant_id: errorField(t("people.informant"), h("select", { name: "informant_id" })),
  };
  const unitLabel = fields.org_unit_id.node.querySelector("label");
  const unitNote = h("p", { class: "field-hint" });
  fields.org_unit_id.node.append(unitNote);
  const informantNote = h("p", { class: "field-hint" });
  fields.informant_id.node.append(informantNote);
  const message = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary block big", text: t("people.save") });

  const roleSelect = fields.role.control;
  const unitSelect = fields.org_unit_id.control;
  const informantSelect = fields.informant_id.control;
  options(roleSelect, roles.map((r) => [r.role, label("role", r.role)]), person ? person.role : roles[0].role);
  const chosenRole = () => roles.find((r) => r.role === roleSelect.value) || null;

  let drawing = 0;
  // The informants of the chosen grid, for a role that needs one.
  async function drawInformants(keep) {
    const role = chosenRole();
    const need = Boolean(role && role.informantRole);
    fields.informant_id.node.hidden = !need;
    informantSelect.required = need;
    informantNote.textContent = "";
    if (!need) return;
    const unit = unitSelect.value;
    let people = [];
    if (unit) {
      people = await api.all(`/api/users?role=${encodeURIComponent(role.informantRole)}&org_unit_id=${unit}`, 200);
    }
    options(informantSelect, people.map((p) => [p.id, p.name]), keep);
    if (unit && !people.length) informantNote.textContent = t("people.no_informant");
  }

  // The units of the kind the chosen role sits in, then its informants.
  async function drawUnits(keepUnit, keepInformant) {
    const mine = ++drawing;
    const role = chosenRole();
    const kind = role ? role.unitKind : null;
    unitLabel.textContent = kind ? t(`people.unit.${kind}`) : t("people.unit.other");
    if (unitLabel.textContent === `people.unit.${kind}`) unitLabel.textContent = t("people.unit.other");
    const units = kind ? await unitsOf(kind) : [];
    const names = await unitLabels(units);
    if (mine !== drawing) return;
    const only = units.length === 1 ? units[0].id : null;
    options(unitSelect, units.map((u) => [u.id, names.get(u.id)]), keepUnit ?? only);
    unitNote.textContent = kind && !units.length ? t("people.no_units") : "";
    await drawInformants(keepInformant);
  }

  const redraw = (work) => work().catch((e) => {
    logError("person-form.choices", e);
    message.textContent = e.message;
  });
  roleSelect.addEventListener("change", () => redraw(() => drawUnits(null, null)));
  unitSelect.addEventListener("change", () => redraw(() => drawInformants(null)));
  try {
    await drawUnits(person && person.org_unit ? person.org_unit.id : null, person ? person.informant_id : null);
  } catch (e) {
    logError("person-form.choices", e);
    return errorBox(e);
  }

  const form = h("form", { class: "form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    message.textContent = "";
    const role = chosenRole();
    const values = {
      name: fields.name.control.value.trim(),
      phone: fields.phone.control.value.trim(),
      role: roleSelect.value,
      org_unit_id: unitSelect.value ? Number(unitSelect.value) : null,
      informant_id: role && role.informantRole && informantSelect.value ? Number(informantSelect.value) : null,
    };
    const missing = {};
    for (const [name, f] of Object.entries(fields)) {
      if (f.control.required && !f.node.hidden && !String(values[name] ?? "").trim()) {
        missing[name] = t("error.required", { label: f.node.querySelector("label").textContent });
      }
    }
    if (showFieldErrors(fields, missing)) return;
    let body = values;
    if (editing) {
      body = personChanges(person, values, Boolean(role && role.informantRole));
      if (!Object.keys(body).length) {
        message.textContent = t("people.no_changes");
        return;
      }
    } else if (!values.informant_id) {
      delete body.informant_id;
    }
    submit.disabled = true;
    submit.textContent = t("people.busy");
    try {
      if (editing) {
        const saved = await api.patch(`/api/users/${person.id}`, body);
        remember(saved);
        ctx.toast(t("people.saved"));
        ctx.navigate(`#/people/${saved.id}`);
      } else {
        const created = await api.post("/api/users", body);
        const { temporary_password: password, ...saved } = created;
        remember(saved);
        showSecretOnce(saved, password);
        ctx.toast(t("people.created", { name: saved.name }));
        history.replaceState(null, "", "#/people");
        ctx.navigate(`#/people/${saved.id}`);
      }
    } catch (err) {
      logError(editing ? "person.edit" : "person.create", err);
      submit.disabled = false;
      submit.textContent = t("people.save");
      if (!showFieldErrors(fields, fieldErrors(err))) message.textContent = err.message;
    }
  } } },
  Object.values(fields).map((f) => f.node),
  message,
  submit);
  return h("div", { class: "screen" }, form);
}
