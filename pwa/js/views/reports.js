// 统计 (secretaries and above): coverage of visits and the cases, as simple SVG bar charts,
// and the Excel exports for reconciliation (对账).
import { ApiError, api } from "../api.js";
import { h } from "../dom.js";
import { label, t } from "../i18n.js";
import { empty, section } from "./common.js";

// {code: n} or [{key|code|status|...: code, count|n|value: n}] -> [[code, n]]
export function pairs(value, keyNames) {
  if (!value) return [];
  if (Array.isArray(value)) {
    return value.map((row) => {
      const k = keyNames.map((n) => row[n]).find((v) => v !== undefined);
      const n = row.count ?? row.n ?? row.value ?? row.total ?? 0;
      return [typeof k === "object" && k ? k.name ?? k.id : k, Number(n) || 0];
    }).filter(([k]) => k !== undefined);
  }
  if (typeof value === "object") return Object.entries(value).map(([k, n]) => [k, Number(n) || 0]);
  return [];
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

function coverageRows(data) {
  const rows = data.items || data.units || data.rows || (Array.isArray(data) ? data : []);
  return rows.map((r) => {
    const name = r.name || (r.org_unit && r.org_unit.name) || (r.unit && r.unit.name) || "";
    const total = Number(r.households ?? r.total ?? r.household_count ?? 0);
    const visited = Number(r.visited ?? r.visited_households ?? r.covered ?? 0);
    return { name, total, visited };
  });
}

export async function render() {
  if (!navigator.onLine) return h("div", { class: "screen" }, empty(t("reports.offline")));
  const [coverage, cases] = await Promise.all([
    api.get("/api/reports/coverage").catch((e) => e),
    api.get("/api/reports/cases").catch((e) => e),
  ]);
  const parts = [];
  if (coverage instanceof ApiError) {
    parts.push(section("reports.coverage", empty(t("reports.unavailable"))));
  } else {
    const rows = coverageRows(coverage);
    const total = coverage.total || null;
    const members = coverageRows({ items: coverage.members || [] });
    parts.push(section("reports.coverage",
      total ? h("p", { class: "big-number", text: t("reports.coverage_line", {
        name: (coverage.unit && coverage.unit.name) || "", visited: total.visited, total: total.households, rate: pct(total.visited, total.households),
      }) }) : null,
      barChart(t("reports.by_unit"), rows.map((r) => [r.name, r.visited])),
      h("ul", { class: "plain-list" }, rows.map((r) => h("li", { text: t("reports.coverage_line", {
        name: r.name, visited: r.visited, total: r.total, rate: pct(r.visited, r.total),
      }) }))),
      members.length ? barChart(t("reports.by_member"), members.map((r) => [r.name, r.visited])) : null));
  }
  if (cases instanceof ApiError) {
    parts.push(section("reports.cases", empty(t("reports.unavailable"))));
  } else {
    const overdue = Array.isArray(cases.overdue) ? cases.overdue.length : Number((cases.overdue && cases.overdue.count) ?? cases.overdue ?? 0);
    const hours = cases.median_hours_to_close;
    const days = hours === null || hours === undefined ? null : hours / 24;
    parts.push(section("reports.cases",
      h("p", { class: ["big-number", overdue ? "warn" : ""], text: t("reports.overdue", { n: overdue }) }),
      days !== null && days !== undefined ? h("p", { text: t("reports.time_to_close", { days: Number(days).toFixed(1) }) }) : null,
      barChart(t("reports.by_status"), pairs(cases.by_status, ["status", "key", "code"]).map(([k, v]) => [label("case_status", k), v])),
      barChart(t("reports.by_category"), pairs(cases.by_category, ["category", "key", "code"]).map(([k, v]) => [label("category", k), v])),
      barChart(t("reports.by_level"), pairs(cases.by_level, ["level", "key", "code"]).map(([k, v]) => [label("level", k), v]))));
  }
  parts.push(section("reports.exports",
    h("ul", { class: "plain-list" },
      h("li", {}, h("a", { href: "/api/exports/cases.xlsx", class: "button secondary block", download: "", text: t("reports.export_cases") })),
      h("li", {}, h("a", { href: "/api/exports/households.xlsx", class: "button secondary block", download: "", text: t("reports.export_households") })))));
  return h("div", { class: "screen" }, parts);
}
