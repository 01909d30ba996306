// 统计 (with the reports.view capability): coverage of visits and the cases, as simple SVG bar
// charts, and the Excel exports for reconciliation (对账) the user may download.
import { api } from "../api.js";
import { can } from "../capabilities.js";
import { h } from "../dom.js";
import { logError } from "../errlog.js";
import { label, t } from "../i18n.js";
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
  const [coverage, cases] = await Promise.all([fetchReport("/api/reports/coverage"), fetchReport("/api/reports/cases")]);
  return h("div", { class: "screen" },
    coverage ? coverageSection(coverage) : section("reports.coverage", empty(t("reports.unavailable"))),
    cases ? casesSection(cases) : section("reports.cases", empty(t("reports.unavailable"))),
    exportsSection(ctx.user));
}
