// 人员 (users.manage, from 我的): the people I manage, searched by 姓名 / 手机号 and filtered
// 在岗 / 已停用 / 全部; 新增人员; a short 操作记录. Administration needs the network: offline,
// the screen says so instead of failing. Also the small cache of people the other 人员
// screens share (person.js, person-form.js, handover.js).
import { peopleQuery } from "../accounts.js";
import { api } from "../api.js";
import { clear, field, h } from "../dom.js";
import { logError } from "../errlog.js";
import { fmtTime, label, t } from "../i18n.js";
import { button, empty, errorBox } from "./common.js";

const PAGE = 50;
const known = new Map(); // id -> the latest version of a person seen (list rows, create and edit answers)
let query = "";
let status = "active";

export function remember(...people) {
  for (const p of people) if (p && p.id != null) known.set(p.id, p);
}

// A person I manage, fresh from the server (found by phone when known here, else from the whole
// list); null when not mine.
export async function findPerson(id) {
  const cached = known.get(id);
  if (cached && cached.phone) {
    const page = await api.get(`/api/users?managed=1&q=${encodeURIComponent(cached.phone)}&limit=20`);
    remember(...page.items);
    const fresh = page.items.find((p) => p.id === id);
    if (fresh) return fresh;
  }
  remember(...await api.all("/api/users?managed=1", 200));
  return known.get(id) || null;
}

export function knownName(id) {
  const p = known.get(id);
  return p ? p.name : null;
}

export function offlineScreen() {
  return h("div", { class: "screen" }, h("p", { class: "panel notice", text: t("people.offline") }));
}

export function roleName(p) {
  return p.role_name || label("role", p.role);
}

function personCard(p) {
  return h("li", { class: "card person-card" },
    h("a", { href: `#/people/${p.id}`, class: "card-link", text: p.name }),
    h("p", { class: "card-sub", text: t("people.line", { role: roleName(p), unit: p.org_unit ? p.org_unit.name : "" }) }),
    h("p", { class: "card-meta" },
      h("span", { class: "meta-text", text: p.phone }),
      p.active === false ? h("span", { class: "chip chip-urgent", text: t("people.inactive_chip") }) : null));
}

function statusFilter(onChange) {
  const options = [["active", "people.filter_active"], ["inactive", "people.filter_inactive"], ["all", "people.filter_all"]];
  const select = h("select", { name: "status" },
    options.map(([value, key]) => h("option", { value, text: t(key), selected: status === value })));
  select.addEventListener("change", () => onChange(select.value));
  return field(t("people.filter"), select);
}

// 操作记录: loaded when first opened.
function changeLog() {
  const body = h("div", {});
  let loaded = false;
  const box = h("details", { class: "admin-log" }, h("summary", { text: t("people.log") }), body);
  box.addEventListener("toggle", async () => {
    if (!box.open || loaded) return;
    loaded = true;
    try {
      const page = await api.get("/api/admin-changes?limit=20");
      clear(body).append(page.items.length
        ? h("ul", { class: "plain-list" }, page.items.map((c) => {
          const action = label("people.action", c.action, "people.action.other");
          const target = (c.changes && typeof c.changes.name === "string" && c.changes.name) ||
            (c.target_type === "user" ? knownName(c.target_id) : null);
          const actor = c.actor ? c.actor.name : "";
          return h("li", { class: "card-sub" }, h("time", { datetime: c.at, text: fmtTime(c.at) }), " ",
            target ? t("people.log_target", { actor, action, target }) : t("people.log_line", { actor, action }));
        }))
        : empty(t("people.log_empty")));
    } catch (e) {
      logError("people.log", e);
      loaded = false;
      clear(body).append(errorBox(e));
    }
  });
  return box;
}

export async function render() {
  if (!navigator.onLine) return offlineScreen();
  const list = h("ul", { class: "cards", "aria-labelledby": "people-count" });
  const count = h("p", { class: "list-count", id: "people-count", "aria-live": "polite" });
  const problem = h("div", {});
  const search = h("input", { type: "search", name: "q", autocomplete: "off", value: query, maxlength: "40" });
  const more = button(t("people.more"), () => load(false), "secondary block");
  more.hidden = true;
  let cursor = null;
  let shown = 0;
  let token = 0;

  async function load(reset) {
    const mine = ++token;
    if (reset) cursor = null;
    let page;
    try {
      page = await api.get(peopleQuery({ q: query, status, cursor, limit: PAGE }));
    } catch (e) {
      logError("people", e);
      if (mine === token) clear(problem).append(errorBox(e));
      return;
    }
    if (mine !== token) return; // a newer search answered first
    clear(problem);
    remember(...page.items);
    if (reset) {
      clear(list);
      shown = 0;
    }
    for (const p of page.items) list.append(personCard(p));
    shown += page.items.length;
    if (!shown) list.append(h("li", {}, empty(t("people.empty"))));
    cursor = page.next;
    more.hidden = !cursor;
    count.textContent = cursor ? t("people.count_more", { n: shown }) : t("people.count", { n: shown });
  }

  let typing = null;
  search.addEventListener("input", () => {
    query = search.value;
    clearTimeout(typing);
    typing = setTimeout(() => load(true), 300);
  });
  await load(true);

  return h("div", { class: "screen" },
    h("a", { href: "#/people/new", class: "button primary block", text: t("people.new") }),
    h("form", { class: "search", role: "search", on: { submit: (e) => { e.preventDefault(); clearTimeout(typing); load(true); } } },
      field(t("people.search"), search, t("people.search_hint"))),
    statusFilter((value) => { status = value; load(true); }),
    problem,
    count,
    list,
    more,
    changeLog());
}
