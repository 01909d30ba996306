// Building the DOM safely: text always goes in as text (textContent / text nodes), never as HTML.

export function h(tag, props, ...children) {
  const svg = tag.startsWith("svg:");
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4)) : document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "on") for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (key === "style") throw new Error("inline styles are not allowed (CSP)");
    else if (key === "checked" || key === "selected" || key === "disabled" || key === "hidden" || key === "required" || key === "multiple") el[key] = Boolean(value);
    else if (key === "value") el.value = value;
    else if (key.startsWith("on")) throw new Error("use on: {event: fn}");
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let seq = 0;
export function uid(prefix = "f") {
  seq += 1;
  return `${prefix}-${seq}`;
}

// A labelled form field: the label is tied to the control, so it has an accessible name.
export function field(labelText, control, hint) {
  const id = control.id || uid("field");
  control.id = id;
  const parts = [h("label", { for: id, class: "field-label", text: labelText })];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { id: hintId, class: "field-hint", text: hint }));
  }
  parts.push(control);
  return h("div", { class: "field" }, parts);
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Device time as ISO 8601 with the phone's own offset, e.g. 2026-05-01T09:30:00+08:00.
export function isoNow(date = new Date()) {
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:` +
    `${pad(date.getMinutes())}:${pad(date.getSeconds())}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}
