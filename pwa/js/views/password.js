// 修改密码: 旧密码, 新密码, 确认新密码 (everyone, from 我的). After a login with a temporary
// password the app keeps the user here (router.js) until the change succeeds; then on as usual.
import { checkPasswordForm, fieldErrors, passwordChangeRequired } from "../accounts.js";
import { api } from "../api.js";
import { h } from "../dom.js";
import { logError } from "../errlog.js";
import { t } from "../i18n.js";
import { button } from "./common.js";
import { errorField, showFieldErrors } from "./form-fields.js";

export async function render(ctx) {
  const forced = passwordChangeRequired(ctx.user);
  const input = (name, autocomplete) => h("input", { type: "password", name, autocomplete, maxlength: "200", required: true });
  const fields = {
    old_password: errorField(t("password.old"), input("old_password", "current-password"), forced ? t("password.old_hint_forced") : null),
    new_password: errorField(t("password.new"), input("new_password", "new-password"), t("password.new_hint")),
    confirm: errorField(t("password.confirm"), input("confirm_password", "new-password")),
  };
  const labels = { old_password: t("password.old"), new_password: t("password.new"), confirm: t("password.confirm") };
  const message = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary block big", text: t("password.submit") });

  const form = h("form", { class: "form", novalidate: true, "aria-label": t("password.title"), on: { submit: async (e) => {
    e.preventDefault();
    message.textContent = "";
    const values = {
      old: fields.old_password.control.value, next: fields.new_password.control.value, confirm: fields.confirm.control.value,
    };
    const problems = checkPasswordForm(values);
    const texts = {};
    for (const [name, problem] of Object.entries(problems)) {
      texts[name] = problem === "mismatch" ? t("password.mismatch") : t("error.required", { label: labels[name] });
    }
    if (showFieldErrors(fields, texts)) return;
    if (!navigator.onLine) {
      message.textContent = t("password.offline");
      return;
    }
    submit.disabled = true;
    submit.textContent = t("password.busy");
    try {
      await api.post("/api/auth/password", { old_password: values.old, new_password: values.next });
    } catch (err) {
      logError("password", err);
      submit.disabled = false;
      submit.textContent = t("password.submit");
      const byField = fieldErrors(err);
      if (!showFieldErrors(fields, byField)) message.textContent = err.message;
      return;
    }
    for (const f of Object.values(fields)) f.control.value = "";
    ctx.toast(t("password.changed"));
    if (forced || passwordChangeRequired(ctx.user)) await ctx.passwordChanged();
    else ctx.navigate("#/me");
  } } },
  forced ? h("p", { class: "panel notice", text: t("password.forced") }) : null,
  navigator.onLine ? null : h("p", { class: "notice", text: t("password.offline") }),
  Object.values(fields).map((f) => f.node),
  message,
  submit);

  return h("div", { class: "screen" },
    form,
    forced ? h("div", { class: "section" }, button(t("me.logout"), () => ctx.logout(), "danger block")) : null);
}
