// 登录: 手机号 / 密码 / 登录.
import { field, h } from "../dom.js";
import { logError } from "../errlog.js";
import { t } from "../i18n.js";

export async function render(ctx) {
  const phone = h("input", {
    type: "tel", name: "phone", autocomplete: "username", inputmode: "numeric", maxlength: "20", required: true,
  });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", maxlength: "200", required: true });
  const message = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary block", text: t("login.submit") });

  const form = h("form", { class: "form login-form", novalidate: true, on: {
    submit: async (e) => {
      e.preventDefault();
      message.textContent = "";
      if (!phone.value.trim() || !password.value) {
        message.textContent = t("login.missing");
        return;
      }
      if (!navigator.onLine) {
        message.textContent = t("login.offline");
        return;
      }
      submit.disabled = true;
      submit.textContent = t("login.busy");
      try {
        await ctx.login(phone.value.trim(), password.value);
        ctx.loginNeeded = false;
      } catch (err) {
        logError("login", err);
        message.textContent = err.message;
        submit.disabled = false;
        submit.textContent = t("login.submit");
        password.value = "";
        password.focus();
      }
    },
  } },
  field(t("login.phone"), phone),
  field(t("login.password"), password),
  message,
  submit);

  return h("div", { class: "login" },
    h("div", { class: "login-brand" },
      h("img", { src: "/icons/icon-192.png", alt: "", width: "72", height: "72", class: "login-logo" }),
      h("p", { class: "login-app", text: t("app.name") }),
      h("p", { class: "login-tagline", text: t("login.welcome") })),
    ctx.loginNeeded ? h("p", { class: "panel notice", text: t("status.login_needed") }) : null,
    form);
}
