// t("key", {n: 1}): a string from the one catalogue (js/i18n/zh-CN.js), placeholders filled.
const CATALOGUE = globalThis.BAOLIAN_I18N || {};

export function t(key, params) {
  let text = Object.prototype.hasOwnProperty.call(CATALOGUE, key) ? CATALOGUE[key] : key;
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  }
  return text;
}

// label("category", "fire") -> "护林防火"; an unknown code falls back to a safe generic word.
export function label(group, code, fallbackKey) {
  const key = `${group}.${code}`;
  if (Object.prototype.hasOwnProperty.call(CATALOGUE, key)) return CATALOGUE[key];
  return fallbackKey ? t(fallbackKey) : String(code ?? "");
}

export const CATEGORIES = ["urgent_needs", "epidemic", "fire", "civility", "environment", "industry", "other"];
export const MODES = ["door", "phone", "other"];
export const HARDSHIP = ["none", "mild", "serious", "urgent"];
// The server's household tags (codes that are themselves Chinese words), kept in the catalogue.
export const HOUSEHOLD_TAGS = t("household.tag_options").split("|");

const dateFmt = new Intl.DateTimeFormat("zh-CN", { year: "numeric", month: "2-digit", day: "2-digit" });
const timeFmt = new Intl.DateTimeFormat("zh-CN", {
  year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});

export function fmtDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : dateFmt.format(d);
}

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : timeFmt.format(d);
}
