// 统计 (with the reports.view capability): coverage of visits and the cases, as simple SVG bar
// charts, the three rates (三率) for a period the user picks, the members whose households have
// gone unvisited (never ranked), and the Excel exports for reconciliation (对账) the user may download.
import { api } from "../api.js";
import { can } from "../capabilities.js";
import { clear, field, h } from "../dom.js";
import { logError } from "../errlog.js";
import { fmtDate, label, t } from "../i18n.js";
import { empty, section } from "./common.js";

// {code: n} -> [[label, n]], the label from the catalogue group.
function labelled(group, tally) {
  return Object.entries(tally).map(([code, n]) => [label(group, code), n]);
}

function barChart(titleText, rows) {
  if (!rows.length) return h("div", {}, h("h3", { class: "chart-title", text: titleText }), empty(t("reports.no_data")));
  const rowH = 30;
  const width = 320;
  const labelW = 96;
  const barMax = width - labelW - 44;
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const desc = rows.map(([l, v]) => t("reports.bar", { label: l, value: v })).join(t("list.comma"));
  const svg = h("svg:svg", { viewBox: `0 0 ${width} ${rows.length * rowH}`, class: "chart", role: "img", "aria-label": t("list.labelled", { label: titleText, value: desc }) });
  rows.forEach(([l, v], i) => {
    const y = i * rowH;
    svg.append(
      h("svg:text", { x: "0", y: String(y + 20), class: "chart-label" }, l),
      h("svg:rect", { x: String(labelW), y: String(y + 6), height: "18", width: String(Math.max(2, (v / max) * barMax)), class: "chart-bar" }),
      h("svg:text", { x: String(labelW + Math.max(2, (v / max) * barMax) + 6), y: String(y + 20), class: "chart-value" }, String(v)));
  });
  return h("figure", { class: "chart-figure" }, h("figcaption", { class: "chart-title", text: titleText }), svg);
}

function pct(part, whole) {
  return whole ? `${Math.round((part / whole) * 100)}%` : "—";
}

function coverageLine(name, counts) {
  return t("reports.coverage_line", {
    name, visited: counts.visited, total: counts.households, rate: pct(counts.visited, counts.households),
  });
}

// GET /api/reports/coverage: the caller's unit, the units below, and (in a village) each member.
function coverageSection(coverage) {
  return section("reports.coverage",
    h("p", { class: "big-number", text: coverageLine(coverage.unit.name, coverage.total) }),
    barChart(t("reports.by_unit"), coverage.units.map((u) => [u.name, u.visited])),
    h("ul", { class: "plain-list" }, coverage.units.map((u) => h("li", { text: coverageLine(u.name, u) }))),
    coverage.members.length ? barChart(t("reports.by_member"), coverage.members.map((m) => [m.name, m.visited])) : null);
}

// GET /api/reports/cases: overdue, median time to close, tallies by status, category and level.
function casesSection(cases) {
  const hours = cases.median_hours_to_close;
  return section("reports.cases",
    h("p", { class: ["big-number", cases.overdue ? "warn" : ""], text: t("reports.overdue", { n: cases.overdue }) }),
    hours === null ? null : h("p", { text: t("reports.time_to_close", { days: (hours / 24).toFixed(1) }) }),
    barChart(t("reports.by_status"), labelled("case_status", cases.by_status)),
    barChart(t("reports.by_category"), labelled("category", cases.by_category)),
    barChart(t("reports.by_level"), labelled("level", cases.by_level)));
}

// One rate as "75%（3/4）", or a dash when there was nothing to count.
function rateText(rate, part, whole) {
  return rate === null || rate === undefined ? t("reports.rate_none")
    : t("reports.rate_value", { rate: `${Math.round(rate * 1000) / 10}%`, part, whole });
}

function ratesRow(name, r) {
  return h("tr", {},
    h("th", { scope: "row", text: name }),
    h("td", { text: rateText(r.response.rate, r.response.on_time, r.response.due) }),
    h("td", { text: rateText(r.resolution.rate, r.resolution.closed, r.resolution.judged) }),
    h("td", { text: rateText(r.satisfaction.rate, r.satisfaction.satisfied, r.satisfaction.revisited) }));
}

function ratesTable(caption, rows) {
  if (!rows.length) return null;
  return h("table", { class: "rates" },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("reports.rates_name") }),
      ["reports.rate_response", "reports.rate_resolution", "reports.rate_satisfaction"].map((k) => h("th", { scope: "col", text: t(k) })))),
    h("tbody", {}, rows));
}

function ratesBody(report) {
  return [
    ratesTable(t("reports.rates_total"), [ratesRow(report.unit.name, report.total)]),
    ratesTable(t("reports.rates_units"), report.units.map((u) => ratesRow(u.name, u))),
    ratesTable(t("reports.rates_departments"), report.departments.map((d) => ratesRow(d.name, d))),
  ];
}

// GET /api/reports/rates?from=&to=: 响应率, 解决率, 满意率 of the units below and the departments.
function ratesSection(first, user) {
  const from = h("input", { type: "date", name: "from", value: first.from, required: true });
  const to = h("input", { type: "date", name: "to", value: first.to, required: true });
  const body = h("div", { class: "rates-body" }, ratesBody(first));
  const exportLink = can(user, "reports.view")
    ? h("a", { class: "button secondary block", download: "", text: t("reports.export_rates") }) : null;
  const linkTo = (a, b) => { if (exportLink) exportLink.href = `/api/exports/rates.xlsx?from=${a}&to=${b}`; };
  linkTo(first.from, first.to);
  const error = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "form period", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    error.textContent = "";
    try {
      const report = await api.get(`/api/reports/rates?from=${encodeURIComponent(from.value)}&to=${encodeURIComponent(to.value)}`);
      clear(body).append(...ratesBody(report).filter(Boolean));
      linkTo(report.from, report.to);
    } catch (err) {
      logError("rates", err);
      error.textContent = err && err.message ? err.message : t("reports.unavailable");
    }
  } } },
  h("div", { class: "period-fields" }, field(t("reports.from"), from), field(t("reports.to"), to)),
  error,
  h("button", { type: "submit", class: "button primary", text: t("reports.query") }));
  return section("reports.rates", h("p", { class: "field-hint", text: t("reports.rates_explain") }), form, body, exportLink);
}

// GET /api/reports/unvisited: members with households unvisited for the reminder period, in the
// order of the org tree (no ranking), and when each was last reminded.
function unvisitedSection(list) {
  const title = h("h2", { class: "section-title", text: t("reports.unvisited", { days: list.days }) });
  const items = list.members.map((m) => h("li", {},
    h("p", { text: t("reports.unvisited_line", { name: m.name, unit: m.org_unit.name, n: m.count }) }),
    m.reminded_at ? h("p", { class: "card-sub", text: t("reports.reminded", { date: fmtDate(m.reminded_at) }) }) : null,
    m.households.length ? h("p", { class: "card-sub" }, m.households.map((hh, i) => [i ? t("list.sep") : "",
      h("a", { href: `#/households/${hh.id}`, text: hh.head_name })])) : null));
  return h("section", { class: "section" }, title,
    items.length ? h("ul", { class: "plain-list" }, items) : empty(t("reports.unvisited_none")),
    list.unassigned ? h("p", { class: "card-sub", text: t("reports.unvisited_unassigned", { n: list.unassigned }) }) : null);
}

// The Excel exports this user may download.
function exportsSection(user) {
  const links = [
    ["exports.cases", "/api/exports/cases.xlsx", "reports.export_cases"],
    ["exports.households", "/api/exports/households.xlsx", "reports.export_households"],
  ].filter(([capability]) => can(user, capability));
  if (!links.length) return null;
  return section("reports.exports", h("ul", { class: "plain-list" }, links.map(([, href, key]) =>
    h("li", {}, h("a", { href, class: "button secondary block", download: "", text: t(key) })))));
}

// A report the server could not give is said so, and logged.
async function fetchReport(path) {
  try {
    return await api.get(path);
  } catch (e) {
    logError(path, e);
    return null;
  }
}

export async function render(ctx) {
  if (!navigator.onLine) return h("div", { class: "screen" }, empty(t("reports.offline")));
  const [coverage, cases, rates, unvisited] = await Promise.all([fetchReport("/api/reports/coverage"),
    fetchReport("/api/reports/cases"), fetchReport("/api/reports/rates"), fetchReport("/api/reports/unvisited")]);
  return h("div", { class: "screen" },
    coverage ? coverageSection(coverage) : section("reports.coverage", empty(t("reports.unavailable"))),
    cases ? casesSection(cases) : section("reports.cases", empty(t("reports.unavailable"))),
    rates ? ratesSection(rates, ctx.user) : section("reports.rates", empty(t("reports.unavailable"))),
    unvisited ? unvisitedSection(unvisited) : null,
    exportsSection(ctx.user));
}
