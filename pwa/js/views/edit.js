// 修改户信息: a profile edit carries the version it was based on; a stale one becomes a
// visible conflict on the household page, never a silent overwrite.
import { field, h } from "../dom.js";
import { HOUSEHOLD_TAGS, t } from "../i18n.js";

export async function render(ctx, [idText]) {
  const id = Number(idText);
  const hh = await ctx.db.get("households", id);
  if (!hh) return h("p", { class: "empty", text: t("household.not_found") });

  const headName = h("input", { type: "text", name: "head_name", value: hh.head_name || "", maxlength: "40", required: true });
  const address = h("input", { type: "text", name: "address", value: hh.address || "", maxlength: "200", required: true });
  const people = h("input", { type: "number", name: "people", value: String(hh.people ?? 1), min: "1", max: "30", inputmode: "numeric", required: true });
  const phone = h("input", { type: "tel", name: "phone", value: hh.phone || "", maxlength: "20", inputmode: "tel" });
  const tagBoxes = HOUSEHOLD_TAGS.map((tag) => h("input", { type: "checkbox", name: "tags", value: tag, checked: (hh.tags || []).includes(tag) }));
  const hardship = h("input", { type: "checkbox", name: "hardship", id: "edit-hardship", checked: Boolean(hh.hardship) });
  const error = h("p", { class: "form-error", role: "alert" });

  const form = h("form", { class: "form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    error.textContent = "";
    const next = {
      head_name: headName.value.trim(), address: address.value.trim(), people: Number(people.value),
      phone: phone.value.trim(), tags: tagBoxes.filter((b) => b.checked).map((b) => b.value), hardship: hardship.checked,
    };
    for (const [key, input] of [["head_name", headName], ["address", address]]) {
      if (!next[key]) {
        error.textContent = t("error.required", { label: t(`edit.${key}`) });
        input.focus();
        return;
      }
    }
    if (!Number.isInteger(next.people) || next.people < 1 || next.people > 30) {
      error.textContent = t("error.required", { label: t("edit.people") });
      people.focus();
      return;
    }
    const changes = {};
    for (const [k, v] of Object.entries(next)) {
      const old = hh[k] ?? (k === "tags" ? [] : k === "phone" ? "" : null);
      if (JSON.stringify(old) !== JSON.stringify(v)) changes[k] = v;
    }
    if (!Object.keys(changes).length) {
      error.textContent = t("edit.no_changes");
      return;
    }
    await ctx.sync.enqueue("household.update", { household_id: id, version: hh.version, ...changes }, undefined);
    ctx.toast(t("edit.saved"));
    ctx.navigate(`#/households/${id}`);
  } } },
  field(t("edit.head_name"), headName),
  field(t("edit.address"), address),
  field(t("edit.people"), people),
  field(t("edit.phone"), phone),
  h("fieldset", { class: "field choices" },
    h("legend", { class: "field-label", text: t("edit.tags") }),
    h("div", { class: "choice-grid" }, tagBoxes.map((box) => h("label", { class: "choice" }, box, h("span", { text: box.value }))))),
  h("div", { class: "field" }, h("label", { class: "choice single", for: "edit-hardship" }, hardship, h("span", { text: t("edit.hardship") }))),
  error,
  h("button", { type: "submit", class: "button primary block big", text: t("edit.save") }));
  return h("div", { class: "screen" }, form);
}
