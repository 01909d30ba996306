// The one merge rule (pwa/js/sync/merge.js): waiting writes keep their local changes on top of
// any server version until the server has answered for them; otherwise the server wins.
import assert from "node:assert/strict";
import { test } from "node:test";

import { keyFor, mergeRecord, pendingFor, pendingRefsByStore } from "../../pwa/js/sync/merge.js";
import { MEMBER } from "./fake-db.mjs";

const AT = "2026-05-01T09:30:00+08:00";
const read = (state = "pending") => ({ id: "r1", type: "notification.read", at: AT, state, data: { notification_id: 11 } });
const edit = (state = "pending") => ({
  id: "e1", type: "household.update", at: AT, state, data: { household_id: 3, version: 4, phone: "138" },
});

test("with nothing waiting the server's version wins", () => {
  const stored = { id: 3, phone: "138", head_name: "姜彩凤" };
  assert.deepEqual(mergeRecord("households", stored, { id: 3, phone: "139", head_name: "姜彩凤" }, [], MEMBER),
    { id: 3, phone: "139", head_name: "姜彩凤" });
});

test("a list row keeps what only the detail carried (the server's fields still win)", () => {
  const stored = { id: "c1", status: "open", events: [{ id: "x", type: "opened" }] };
  const row = { id: "c1", status: "escalated" };
  assert.deepEqual(mergeRecord("cases", stored, row, [], MEMBER), { id: "c1", status: "escalated", events: stored.events });
});

test("a waiting edit stays over a fresh server version, and goes once the server has it", () => {
  const server = { id: 3, version: 5, phone: "139", people: 4 };
  assert.deepEqual(mergeRecord("households", { id: 3, phone: "138" }, server, [edit()], MEMBER),
    { id: 3, version: 5, phone: "138", people: 4 });
  assert.deepEqual(mergeRecord("households", { id: 3, phone: "138" }, server, [], MEMBER), server);
});

test("a read mark made offline survives the inbox poll (the poll's copy says unread)", () => {
  const polled = { id: 11, title: "新任务", read_at: null };
  assert.equal(mergeRecord("notifications", { id: 11, read_at: AT }, polled, [read()], MEMBER).read_at, AT);
});

test("only waiting entries are re-applied; a refused one no longer is", () => {
  const entries = [read("rejected"), edit()];
  assert.deepEqual(pendingFor(entries, "notifications", 11), []);
  assert.deepEqual(pendingFor(entries, "households", "3").map((e) => e.id), ["e1"]);
  assert.equal(mergeRecord("notifications", undefined, { id: 11, read_at: null }, pendingFor(entries, "notifications", 11), MEMBER).read_at, null);
});

test("merging is idempotent: again on its own result changes nothing", () => {
  const action = { id: "ev1", type: "case.action", at: AT, state: "pending",
    data: { id: "ev1", at: AT, case_id: "c1", action: "escalate", reason: "请网格协调" } };
  const once = mergeRecord("cases", undefined, { id: "c1", events: [] }, [action], MEMBER);
  const twice = mergeRecord("cases", once, undefined, [action], MEMBER);
  assert.deepEqual(twice, once);
  assert.equal(twice.events.length, 1);
});

test("a record neither stored nor made by a waiting write is not stored", () => {
  assert.equal(mergeRecord("tasks", undefined, undefined, [], MEMBER), undefined);
});

test("keys: households and notifications are numbers, the feed's ids are strings", () => {
  assert.equal(keyFor("households", "12"), 12);
  assert.equal(keyFor("notifications", 5), 5);
  assert.equal(keyFor("cases", "12"), "12");
  assert.equal(keyFor("visits", "6f1c1d0e-0000-4000-8000-000000000001"), "6f1c1d0e-0000-4000-8000-000000000001");
});

test("the records waiting writes touch, by store, each once", () => {
  const visit = { id: "v1", type: "visit.create", at: AT, state: "pending", data: { id: "v1", household_id: 3 } };
  assert.deepEqual(pendingRefsByStore([visit, edit(), read("rejected")]), { visits: ["v1"], households: [3] });
});
