// A form field that can show the server's message for it right under the control (tied to it
// with aria-describedby and aria-invalid), used by the 修改密码 and 人员 forms.
import { h, uid } from "../dom.js";

// -> {node, control, show(message), clear()}
export function errorField(labelText, control, hint) {
  const id = control.id || uid("field");
  control.id = id;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const error = h("p", { id: errorId, class: "field-error" });
  const described = () => [hint ? hintId : null, error.textContent ? errorId : null].filter(Boolean).join(" ");
  const sync = () => {
    const ids = described();
    if (ids) control.setAttribute("aria-describedby", ids);
    else control.removeAttribute("aria-describedby");
    if (error.textContent) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  };
  const node = h("div", { class: "field" },
    h("label", { for: id, class: "field-label", text: labelText }),
    hint ? h("p", { id: hintId, class: "field-hint", text: hint }) : null,
    control,
    error);
  sync();
  return {
    node,
    control,
    show(message) {
      error.textContent = message || "";
      sync();
    },
    clear() {
      error.textContent = "";
      sync();
    },
  };
}

// Show each field's message ({name: message}) and focus the first field with one; answers
// whether any was shown.
export function showFieldErrors(fields, messages) {
  let first = null;
  for (const [name, f] of Object.entries(fields)) {
    const message = messages[name];
    f.show(message || "");
    if (message && !first) first = f;
  }
  if (first) first.control.focus();
  return Boolean(first);
}
