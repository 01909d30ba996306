// 档案与名单 (households.manage): the lists villages ask for — 重点人群 by category, households not
// visited for N days, each exportable to Excel — and the archived households, to restore. Online only.
import { api } from "../api.js";
import { append, clear, field, h } from "../dom.js";
import { logError } from "../errlog.js";
import { fmtDate, label, t } from "../i18n.js";
import { button, empty, section } from "./common.js";
import { offlineScreen } from "./household-form.js";

const SHOWN = 200;

// The codes of a group of labels in the catalogue (care, relation, gender, archive_reason), in its order:
// the catalogue is checked against the server's (tests/test_catalogues.py), so these are the server's codes.
export function codes(group) {
  return Object.keys(globalThis.BAOLIAN_I18N || {}).filter((k) => k.startsWith(`${group}.`)).map((k) => k.slice(group.length + 1));
}
const CARE = codes("care");

function visit(at) {
  return at ? t("register.visited", { date: fmtDate(at) }) : t("register.never");
}

function careSection() {
  const select = h("select", { name: "care" }, CARE.map((c) => h("option", { value: c, text: label("care", c) })));
  const list = h("div", {});
  const exportLink = h("a", { class: "button secondary", download: "", text: t("register.export") });
  async function draw() {
    exportLink.href = `/api/exports/residents.xlsx?care=${select.value}`;
    try {
      const page = await api.get(`/api/residents?care=${select.value}&limit=${SHOWN}`);
      append(clear(list), page.items.length ? [
        h("p", { class: "list-count", text: t("register.count", { n: page.items.length }) }),
        h("ul", { class: "cards" }, page.items.map((r) => h("li", { class: "card" },
          h("a", { href: `#/residents/${r.id}`, class: "card-link", text: r.name }),
          h("p", { class: "card-sub", text: t("register.care_line", { household: r.household.head_name,
            member: r.member ? r.member.name : t("household.none"), visit: visit(r.last_visit_at) }) }),
          h("p", { class: "card-sub", text: r.household.address }))))] : [empty(t("register.care_none"))]);
    } catch (e) {
      logError("register.care", e);
      clear(list).append(h("p", { class: "form-error", text: e.message }));
    }
  }
  select.addEventListener("change", draw);
  draw();
  return section("register.care", field(t("register.care"), select), h("div", { class: "button-row" }, exportLink), list);
}

function unvisitedSection() {
  const days = h("input", { type: "number", name: "days", min: "1", max: "3650", value: "30", inputmode: "numeric" });
  const list = h("div", {});
  const exportLink = h("a", { class: "button secondary", download: "", text: t("register.export") });
  async function draw() {
    const n = Math.min(3650, Math.max(1, Number(days.value) || 30));
    exportLink.href = `/api/exports/households.xlsx?unvisited_days=${n}`;
    try {
      const page = await api.get(`/api/households?unvisited_days=${n}&limit=${SHOWN}`);
      append(clear(list), page.items.length ? [
        h("p", { class: "list-count", text: t("register.count", { n: page.items.length }) }),
        h("ul", { class: "cards" }, page.items.map((hh) => h("li", { class: "card" },
          h("a", { href: `#/households/${hh.id}`, class: "card-link", text: hh.head_name }),
          h("p", { class: "card-sub", text: `${hh.address} · ${hh.member ? hh.member.name : t("household.none")}` }),
          h("p", { class: "card-sub warn", text: visit(hh.last_visit && hh.last_visit.visited_at) }))))]
        : [empty(t("register.unvisited_none", { days: n }))]);
    } catch (e) {
      logError("register.unvisited", e);
      clear(list).append(h("p", { class: "form-error", text: e.message }));
    }
  }
  draw();
  return section("register.unvisited", field(t("register.unvisited_days"), days),
    h("div", { class: "button-row" }, button(t("register.show"), draw), exportLink), list);
}

function archivedSection(ctx) {
  const list = h("div", {});
  async function draw() {
    try {
      const items = await api.all("/api/households?archived=1", 200);
      clear(list).append(items.length ? h("ul", { class: "cards" }, items.map((hh) => h("li", { class: "card" },
        h("p", { class: "card-title", text: t("register.archived_title", { name: hh.head_name, no: hh.household_no }) }),
        h("p", { class: "card-sub", text: t("register.archived_line", {
          reason: label("archive_reason", hh.archive_reason), date: fmtDate(hh.archived_at) }) }),
        hh.archive_note ? h("p", { class: "card-sub", text: hh.archive_note }) : null,
        h("div", { class: "card-actions" }, button(t("register.restore"), async () => {
          try {
            const back = await api.post(`/api/households/${hh.id}/restore`);
            const { recent_visits: _v, cases: _c, ...household } = back;
            await ctx.sync.saveServer("households", [household]);
            ctx.toast(t("register.restored", { name: hh.head_name }));
            draw();
          } catch (e) {
            logError("register.restore", e);
            ctx.toast(e.message);
          }
        }))))) : empty(t("register.archived_none")));
    } catch (e) {
      logError("register.archived", e);
      clear(list).append(h("p", { class: "form-error", text: e.message }));
    }
  }
  draw();
  return section("register.archived", list);
}

export async function render(ctx) {
  if (!navigator.onLine) return offlineScreen();
  return h("div", { class: "screen" }, careSection(), unvisitedSection(), archivedSection(ctx));
}
