// The on-device error log: every caught error is recorded here (the last 200), so support can
// read what went wrong under 我的 → 数据同步 even when nothing was shown to the user.
// Kept in localStorage (not the user's IndexedDB): it must work when that database is broken,
// and survive a logout. Memory is the working copy; storage is best effort.
import { isoNow } from "./dom.js";

const KEY = "baolian.errors";
export const MAX_ERRORS = 200;

// Append to a bounded ring: the newest `max` entries, oldest first.
export function ring(list, entry, max = MAX_ERRORS) {
  return [...list, entry].slice(-max);
}

// A short line for an error of any kind (ApiError, DOMException, string, undefined).
export function describe(err) {
  if (err === undefined || err === null) return "";
  if (typeof err === "string") return err;
  const name = err.name && err.name !== "Error" ? `${err.name}: ` : "";
  const status = err.status ? ` [${err.status}${err.code ? ` ${err.code}` : ""}]` : "";
  return `${name}${err.message || String(err)}${status}`.slice(0, 500);
}

function storage() {
  return globalThis.localStorage || null;
}

function load() {
  const boot = (globalThis.BAOLIAN_BOOT_ERRORS || []).map((message) => ({ at: isoNow(), where: "boot", message }));
  try {
    const saved = JSON.parse((storage() && storage().getItem(KEY)) || "[]");
    return [...(Array.isArray(saved) ? saved : []), ...boot].slice(-MAX_ERRORS);
  } catch (e) {
    return [...boot, { at: isoNow(), where: "errlog.load", message: describe(e) }];
  }
}

let entries = load();
let saveFailed = false;

function save() {
  try {
    if (storage()) storage().setItem(KEY, JSON.stringify(entries));
  } catch (e) {
    // Storage full or blocked: entries stay in memory. Noted once (logError would recurse).
    if (!saveFailed) entries = ring(entries, { at: isoNow(), where: "errlog.save", message: describe(e) });
    saveFailed = true;
  }
}

// Record one caught error; `where` names the place (e.g. "inbox-poll").
export function logError(where, err) {
  entries = ring(entries, { at: isoNow(), where, message: describe(err) });
  save();
}

// Newest first.
export function recentErrors() {
  return entries.slice().reverse();
}

export function clearErrors() {
  entries = [];
  save();
}
