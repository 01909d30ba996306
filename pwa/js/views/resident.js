// A resident (家庭成员): relation, gender, birth year, phone, care categories, the ID number as the
// server shows it to this user (masked to secretaries and above, not at all to others), and for
// those who may, 查看完整身份证号 (each look logged by the server), 修改, 删除. Online only.
import { api } from "../api.js";
import { can } from "../capabilities.js";
import { clear, h } from "../dom.js";
import { logError } from "../errlog.js";
import { label, t } from "../i18n.js";
import { button, dl, empty, errorBox, section } from "./common.js";
import { offlineScreen } from "./household-form.js";

let currentTitle = null;
export function title() {
  return currentTitle;
}

export function careText(resident) {
  return (resident.care || []).map((c) => label("care", c)).join(t("list.sep")) || t("household.none");
}

export async function render(ctx, [idText]) {
  currentTitle = null;
  if (!navigator.onLine) return offlineScreen();
  const id = Number(idText);
  let r;
  try {
    r = await api.get(`/api/residents/${id}`);
  } catch (e) {
    logError(`resident ${id}`, e);
    return e.status === 404 ? h("div", { class: "screen" }, empty(t("resident.not_found"))) : errorBox(e);
  }
  currentTitle = r.name;
  const idValue = h("span", { text: r.id_number || t("household.none") });
  const note = h("p", { class: "field-hint" });
  const confirmSlot = h("div", {});
  const manage = can(ctx.user, "households.manage");
  const reveal = can(ctx.user, "residents.reveal_id") && r.id_number
    ? button(t("resident.reveal"), async () => {
      try {
        const shown = await api.post(`/api/residents/${id}/reveal`);
        idValue.textContent = shown.id_number || t("household.none");
        note.textContent = t("resident.reveal_note");
        reveal.hidden = true; // shown once per visit; leaving the page masks it again
      } catch (e) {
        logError("resident.reveal", e);
        note.textContent = e.message;
      }
    }) : null;
  return h("div", { class: "screen" },
    section("resident.title", dl([
      [t("resident.relation"), label("relation", r.relation)],
      [t("resident.gender"), r.gender ? label("gender", r.gender) : t("resident.gender_unknown")],
      [t("resident.birth_year"), r.birth_year ? String(r.birth_year) : t("household.none")],
      [t("resident.phone"), r.phone ? h("a", { href: `tel:${r.phone}`, text: r.phone }) : t("household.none")],
      [t("resident.care"), careText(r)],
      r.id_number ? [t("resident.id_number"), idValue] : null,
    ]), reveal, note),
    manage ? h("div", { class: "button-row" },
      button(t("resident.edit"), () => ctx.navigate(`#/residents/${id}/edit`)),
      button(t("resident.delete"), () => {
        clear(confirmSlot).append(h("div", { class: "panel notice", role: "alert" },
          h("p", { text: t("resident.delete_confirm", { name: r.name }) }),
          h("div", { class: "button-row" },
            button(t("resident.delete"), async () => {
              try {
                await api.del(`/api/residents/${id}`);
                ctx.toast(t("resident.deleted"));
                ctx.navigate(`#/households/${r.household_id}`);
              } catch (e) {
                logError("resident.delete", e);
                ctx.toast(e.message);
              }
            }, "danger"),
            button(t("me.cancel"), () => clear(confirmSlot)))));
      }, "danger")) : null,
    confirmSlot);
}
