// 导入 (households.import): 下载模板, choose a file (.xlsx or .csv), 预览 — the server checks every
// cell of every row and says what would be created, updated and left unchanged, or lists each
// problem by row and column — then 导入, all or nothing. Online only.
import { ApiError, request } from "../api.js";
import { append, clear, h } from "../dom.js";
import { logError } from "../errlog.js";
import { t } from "../i18n.js";
import { offlineScreen } from "./household-form.js";

const TEMPLATE = "/api/imports/households/template.xlsx";

// A multipart POST with the session's CSRF token (api.js speaks JSON only).
async function send(file, dryRun) {
  const { data } = await request("GET", "/api/auth/csrf");
  const body = new FormData();
  body.append("file", file, file.name);
  let res;
  try {
    res = await fetch(`/api/imports/households${dryRun ? "?dry_run=1" : ""}`, {
      method: "POST", body, credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json", "X-CSRF-Token": data.csrf_token },
    });
  } catch (e) {
    throw new ApiError({ offline: true, code: "network", message: t("error.network") });
  }
  const json = await res.json().catch((e) => {
    logError("import.answer", e); // not JSON (a proxy's error page): the status speaks
    return null;
  });
  if (res.ok) return json;
  const err = (json && json.error) || {};
  if (err.errors) return { ...err, refused: true }; // 422 with the same list of problems
  throw new ApiError({ status: res.status, code: err.code, message: err.message || t("error.server") });
}

function errorTable(errors) {
  return h("table", { class: "compare import-errors" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: t("import.row") }),
      h("th", { scope: "col", text: t("import.column") }),
      h("th", { scope: "col", text: t("import.problem") }))),
    h("tbody", {}, errors.map((e) => h("tr", {},
      h("th", { scope: "row", text: t("import.error_row", { sheet: e.sheet, row: e.row }) }),
      h("td", { text: e.column || t("import.whole_row") }),
      h("td", { text: e.message })))));
}

function changeList(changes) {
  if (!changes.length) return null;
  return h("details", { class: "import-changes" },
    h("summary", { text: t("import.changes", { n: changes.length }) }),
    h("ul", { class: "plain-list" }, changes.slice(0, 200).map((c) => h("li", { class: "card-sub",
      text: t("import.change_line", { sheet: c.sheet, row: c.row, name: c.name, what: c.action === "created"
        ? t("import.change_created") : t("import.change_updated", { columns: c.columns.join(t("list.sep")) }) }) }))));
}

export async function render(ctx) {
  if (!navigator.onLine) return offlineScreen();
  const input = h("input", { type: "file", name: "file", id: "import-file",
    accept: ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" });
  const result = h("div", { class: "stack", "aria-live": "polite" });
  const message = h("p", { class: "form-error", role: "alert" });
  const preview = h("button", { type: "button", class: "button primary block", text: t("import.preview") });
  const apply = h("button", { type: "button", class: "button primary block big", text: t("import.apply"), hidden: true });

  function show(body) {
    const parts = [h("p", { class: "import-summary", text: t("import.summary", body) })];
    if (body.errors.length) {
      parts.push(h("p", { class: "form-error", text: t("import.errors", { n: body.errors.length }) }), errorTable(body.errors));
    } else {
      parts.push(h("p", { class: "panel notice", text: t("import.ready") }));
    }
    parts.push(changeList(body.changes || []));
    append(clear(result), parts);
  }

  async function run(dryRun, button, busyKey) {
    message.textContent = "";
    const file = input.files && input.files[0];
    if (!file) {
      message.textContent = t("import.choose_file");
      input.focus();
      return null;
    }
    const text = button.textContent;
    button.disabled = true;
    button.textContent = t(busyKey);
    try {
      return await send(file, dryRun);
    } catch (e) {
      logError("import", e);
      message.textContent = e.message;
      return null;
    } finally {
      button.disabled = false;
      button.textContent = text;
    }
  }

  input.addEventListener("change", () => {
    clear(result);
    apply.hidden = true;
  });
  preview.addEventListener("click", async () => {
    apply.hidden = true;
    const body = await run(true, preview, "import.previewing");
    if (!body) return;
    show(body);
    apply.hidden = body.errors.length > 0 || body.created + body.updated === 0;
  });
  apply.addEventListener("click", async () => {
    const body = await run(false, apply, "import.applying");
    if (!body) return;
    show(body);
    if (body.refused) return;
    apply.hidden = true;
    ctx.toast(t("import.done", body));
    append(clear(result), [h("p", { class: "panel notice", text: t("import.done", body) })]);
    if (ctx.sync) ctx.sync.run();
  });

  return h("div", { class: "screen" },
    h("p", { class: "form-intro", text: t("import.intro") }),
    h("a", { href: TEMPLATE, download: "", class: "button secondary block", text: t("import.template") }),
    h("div", { class: "field" }, h("label", { for: "import-file", class: "field-label", text: t("import.file") }), input),
    preview, message, result, apply);
}
