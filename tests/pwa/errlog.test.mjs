// The on-device error log (pwa/js/errlog.js): a bounded ring, kept in localStorage.
import assert from "node:assert/strict";
import { test } from "node:test";

class Storage {
  constructor() { this.data = {}; }
  getItem(k) { return k in this.data ? this.data[k] : null; }
  setItem(k, v) { this.data[k] = String(v); }
}
globalThis.localStorage = new Storage();
globalThis.localStorage.setItem("baolian.errors", JSON.stringify([{ at: "2026-05-01T09:00:00+08:00", where: "old", message: "earlier" }]));
globalThis.BAOLIAN_BOOT_ERRORS = ["SecurityError: blocked"];
const { MAX_ERRORS, clearErrors, describe, logError, recentErrors, ring } = await import("../../pwa/js/errlog.js");

test("the ring keeps the newest entries only", () => {
  let list = [];
  for (let i = 0; i < 205; i += 1) list = ring(list, i, 200);
  assert.equal(list.length, 200);
  assert.equal(list[0], 5);
  assert.equal(list[199], 204);
  assert.equal(MAX_ERRORS, 200);
});

test("errors of any kind become one short line", () => {
  assert.equal(describe(new Error("网络不通")), "网络不通");
  assert.equal(describe(Object.assign(new Error("没有权限"), { status: 403, code: "not_allowed" })), "没有权限 [403 not_allowed]");
  assert.equal(describe(new TypeError("x is not a function")), "TypeError: x is not a function");
  assert.equal(describe("plain"), "plain");
  assert.equal(describe(undefined), "");
  assert.ok(describe(new Error("长".repeat(900))).length <= 500);
});

test("what was saved and what boot met are there; new entries come first and are saved", () => {
  assert.deepEqual(recentErrors().map((e) => e.where), ["boot", "old"]);
  logError("inbox-poll", new Error("网络不通"));
  const [newest] = recentErrors();
  assert.equal(newest.where, "inbox-poll");
  assert.equal(newest.message, "网络不通");
  assert.match(newest.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.equal(JSON.parse(localStorage.getItem("baolian.errors")).length, 3);
  for (let i = 0; i < 250; i += 1) logError("loop", i);
  assert.equal(recentErrors().length, 200);
  clearErrors();
  assert.deepEqual(recentErrors(), []);
  assert.equal(localStorage.getItem("baolian.errors"), "[]");
});
