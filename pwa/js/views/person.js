// 人员信息: one person I manage: who and where, their 包联户, the temporary password once
// (right after 新增人员 or 重置密码), and 编辑, 重置密码, 停用 / 启用, 交接.
import { api } from "../api.js";
import { append, clear, h } from "../dom.js";
import { logError } from "../errlog.js";
import { t } from "../i18n.js";
import { button, dl, empty, errorBox } from "./common.js";
import { findPerson, offlineScreen, remember, roleName } from "./people.js";

// A temporary password waiting to be shown once, by the next render of that person's page.
let secret = null;

export function showSecretOnce(person, password) {
  secret = { id: person.id, name: person.name, password };
}

function takeSecret(id) {
  if (!secret || secret.id !== id) return null;
  const s = secret;
  secret = null;
  return s;
}

function selectText(el) {
  const range = document.createRange();
  range.selectNodeContents(el);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

// The temporary password in a panel of its own: large, with 复制 and the note that it is
// shown only this once.
export function secretPanel(ctx, { name, password }) {
  const value = h("p", { class: "secret-value", id: "secret-value", translate: "no", text: password });
  const heading = h("h2", { class: "section-title", id: "secret-title", tabindex: "-1", text: t("people.secret_title") });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(password);
      ctx.toast(t("people.copied"));
    } catch (e) {
      logError("people.copy", e); // no clipboard here: select it for the user to copy
      selectText(value);
      ctx.toast(t("people.copy_select"));
    }
  };
  return h("section", { class: "panel secret", "aria-labelledby": "secret-title" },
    heading,
    h("p", { class: "secret-for", text: t("people.secret_for", { name }) }),
    value,
    button(t("people.copy"), copy, "primary block", { "aria-describedby": "secret-value secret-once" }),
    h("p", { class: "field-hint", id: "secret-once", text: t("people.secret_once") }));
}

async function householdsOf(id) {
  try {
    return await api.all(`/api/households?member_id=${id}`, 200);
  } catch (e) {
    logError("person.households", e); // shown as unknown
    return null;
  }
}

async function informantName(person) {
  if (person.informant_id == null || !person.org_unit) return null;
  try {
    const page = await api.get(`/api/users?org_unit_id=${person.org_unit.id}&limit=200`);
    const informant = page.items.find((u) => u.id === person.informant_id);
    return informant ? informant.name : null;
  } catch (e) {
    logError("person.informant", e);
    return null;
  }
}

export async function render(ctx, [idText]) {
  if (!navigator.onLine) return offlineScreen();
  const id = Number(idText);
  let person;
  try {
    person = await findPerson(id);
  } catch (e) {
    logError(`person ${id}`, e);
    return errorBox(e);
  }
  if (!person) return h("div", { class: "screen" }, empty(t("people.not_found")));
  const [homes, informant] = await Promise.all([householdsOf(id), informantName(person)]);
  const root = h("div", { class: "screen" });
  const secretSlot = h("div", {});
  const confirmSlot = h("div", {});
  const message = h("p", { class: "form-error", role: "alert" });
  const once = takeSecret(id);
  if (once) secretSlot.append(secretPanel(ctx, once));

  async function act(work) {
    message.textContent = "";
    clear(confirmSlot);
    try {
      await work();
    } catch (e) {
      logError(`person ${id}`, e);
      message.textContent = e.message;
    }
  }

  function confirm(text, work) {
    clear(confirmSlot).append(h("div", { class: "panel notice", role: "alert" },
      h("p", { text }),
      h("div", { class: "button-row" },
        button(t("people.confirm"), () => act(work), "danger"),
        button(t("people.cancel"), () => clear(confirmSlot)))));
  }

  async function resetPassword() {
    const res = await api.post(`/api/users/${id}/reset-password`, {});
    clear(secretSlot).append(secretPanel(ctx, { name: person.name, password: res.temporary_password }));
    secretSlot.querySelector("#secret-title").focus();
  }

  async function setActive(active) {
    person = await api.patch(`/api/users/${id}`, { active });
    remember(person);
    ctx.toast(t(active ? "people.activated" : "people.deactivated"));
    draw();
  }

  function draw() {
    const count = homes ? homes.length : null;
    append(clear(root), [
      secretSlot,
      h("h2", { class: "page-heading", text: person.name }),
      person.active === false && count ? h("p", { class: "panel notice", text: t("people.awaiting", { n: count }) }) : null,
      dl([
        [t("people.role"), roleName(person)],
        [t("people.unit.other"), person.org_unit ? person.org_unit.name : ""],
        [t("people.phone"), person.phone],
        informant ? [t("people.informant"), informant] : null,
        [t("people.status"), t(person.active === false ? "people.status_inactive" : "people.status_active")],
        count ? [t("people.households"), t("people.households_n", { n: count })] : null,
      ]),
      h("div", { class: "section" },
        h("div", { class: "button-row" },
          h("a", { href: `#/people/${id}/edit`, class: "button secondary", text: t("people.edit") }),
          button(t("people.reset"), () => confirm(t("people.reset_confirm", { name: person.name }), resetPassword)),
          person.active === false
            ? button(t("people.activate"), () => act(() => setActive(true)))
            : button(t("people.deactivate"), () => confirm(t("people.deactivate_confirm", { name: person.name }), () => setActive(false)), "danger"),
          count ? h("a", { href: `#/people/${id}/handover`, class: "button primary", text: t("people.handover") }) : null),
        confirmSlot,
        message)]);
  }
  draw();
  return root;
}
