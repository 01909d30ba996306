// 包联户: my households with last visit, open cases and tags; search; the push offer.
import { can } from "../capabilities.js";
import { clear, field, h } from "../dom.js";
import { logError } from "../errlog.js";
import { fmtDate, t } from "../i18n.js";
import * as push from "../push.js";
import { empty } from "./common.js";

const OFFER_KEY = "baolian.pushOffer";
let query = "";

function matches(hh, q) {
  if (!q) return true;
  return [hh.head_name, hh.address, hh.phone].some((v) => (v || "").includes(q));
}

function item(hh) {
  const meta = [];
  meta.push(h("span", { class: "meta-text", text: t("households.people", { n: hh.people }) }));
  if (hh.hardship) meta.push(h("span", { class: "chip chip-urgent", text: t("households.hardship") }));
  for (const tag of hh.tags || []) meta.push(h("span", { class: "chip", text: tag }));
  const visit = hh.last_visit
    ? t("households.last_visit", { date: fmtDate(hh.last_visit.visited_at) })
    : t("households.never_visited");
  return h("li", { class: "card household-card" },
    h("a", { href: `#/households/${hh.id}`, class: "card-link", text: hh.head_name }),
    h("p", { class: "card-sub", text: hh.address }),
    h("p", { class: "card-meta" }, meta),
    h("p", { class: ["card-sub", hh.last_visit ? "" : "warn"], text: visit }),
    hh.open_cases ? h("p", { class: "card-sub warn", text: t("households.open_cases", { n: hh.open_cases }) }) : null);
}

// The offer is made once on this device, whatever the answer.
function remember() {
  try { localStorage.setItem(OFFER_KEY, "done"); } catch (e) { logError("push.offer", e); /* offered again */ }
}

function offer(ctx) {
  let dismissed = false;
  try { dismissed = localStorage.getItem(OFFER_KEY) === "done"; } catch (e) { logError("push.offer", e); /* offered again */ }
  if (dismissed || push.permission() !== "default") return null;
  const msg = h("p", { class: "form-error", role: "alert" });
  const card = h("section", { class: "panel offer", "aria-labelledby": "push-offer-title" },
    h("h2", { id: "push-offer-title", class: "section-title", text: t("push.offer_title") }),
    h("p", { text: t("push.explain") }),
    msg,
    h("div", { class: "button-row" },
      h("button", { type: "button", class: "button primary", text: t("push.enable"), on: { click: async () => {
        try {
          await push.enable();
          remember();
          card.remove();
          ctx.toast(t("push.enabled"));
        } catch (e) {
          logError("push.enable", e);
          msg.textContent = e.message;
          remember();
        }
      } } }),
      h("button", { type: "button", class: "button secondary", text: t("push.later"), on: { click: () => {
        remember();
        card.remove();
      } } })));
  return card;
}

export async function render(ctx) {
  const list = h("ul", { class: "cards", "aria-labelledby": "households-count" });
  const count = h("p", { class: "list-count", id: "households-count" });
  const search = h("input", { type: "search", name: "q", autocomplete: "off", value: query, maxlength: "40" });

  async function fill() {
    const all = await ctx.db.all("households");
    all.sort((a, b) => a.id - b.id);
    const shown = all.filter((x) => matches(x, query.trim()));
    clear(list);
    count.textContent = t("households.count", { n: shown.length });
    if (!all.length) {
      list.append(h("li", {}, empty(ctx.sync && ctx.sync.state.lastSync ? t("households.empty") : t("households.not_loaded"))));
      return;
    }
    if (!shown.length) list.append(h("li", {}, empty(t("households.none_found"))));
    for (const x of shown) list.append(item(x));
  }

  search.addEventListener("input", () => {
    query = search.value;
    fill();
  });
  ctx.onData(fill);
  await fill();

  // The register's tools, for those who keep it (新增住户, 导入, 档案与名单).
  const register = can(ctx.user, "households.manage") ? h("div", { class: "button-row" },
    h("a", { href: "#/households/new", class: "button secondary", text: t("register.new") }),
    can(ctx.user, "households.import") ? h("a", { href: "#/import", class: "button secondary", text: t("register.import") }) : null,
    h("a", { href: "#/register", class: "button secondary", text: t("register.more") })) : null;

  return h("div", { class: "screen" },
    offer(ctx),
    register,
    h("form", { class: "search", role: "search", on: { submit: (e) => e.preventDefault() } },
      field(t("households.search"), search, t("households.search_hint"))),
    count,
    list);
}
