// What each queued write does to a record (pwa/js/sync/effects.js): pure and idempotent.
import assert from "node:assert/strict";
import { test } from "node:test";

import { EVENT_OF_ACTION, applyEntry, touches } from "../../pwa/js/sync/effects.js";
import { MEMBER, userWith } from "./fake-db.mjs";

const AT = "2026-05-01T09:30:00+08:00";
const entry = (type, data, id = data.id) => ({ id, type, at: AT, data, state: "pending" });

test("a visit touches itself and its household", () => {
  const e = entry("visit.create", { id: "v1", household_id: 3, visited_at: AT });
  assert.deepEqual(touches(e), [{ store: "visits", id: "v1" }, { store: "households", id: 3 }]);
});

test("a visit made offline exists locally, with its author, and moves the household's last visit", () => {
  const e = entry("visit.create", { id: "v1", household_id: 3, visited_at: AT, mode: "door", hardship: "mild" });
  assert.deepEqual(applyEntry("visits", undefined, e, MEMBER).author, { id: 7, name: "石水奇" });
  const older = { id: 3, last_visit: { visited_at: "2026-04-01T09:00:00+08:00" } };
  assert.equal(applyEntry("households", older, e, MEMBER).last_visit.id, "v1");
  const newer = { id: 3, last_visit: { id: "v0", visited_at: "2026-06-01T09:00:00+08:00" } };
  assert.equal(applyEntry("households", newer, e, MEMBER), newer); // an older visit changes nothing
});

test("a case opened offline starts at the user's case_level, with an 'opened' event", () => {
  const e = entry("case.create", { id: "c1", household_id: 3, title: "t", category: "fire" });
  const made = applyEntry("cases", undefined, e, userWith(["cases.open"], "grid"));
  assert.equal(made.level, "grid");
  assert.equal(made.status, "open");
  assert.deepEqual(made.events.map((ev) => [ev.type, ev.pending]), [["opened", true]]);
  const server = { id: "c1", level: "informant", status: "escalated" };
  assert.equal(applyEntry("cases", server, e, MEMBER), server); // the server's copy is never replaced
});

test("without capabilities a local case has no level (no role is guessed)", () => {
  const e = entry("case.create", { id: "c1", household_id: 3 });
  assert.equal(applyEntry("cases", undefined, e, { id: 1, name: "x", role: "secretary" }).level, null);
});

test("a case action adds its event once, named as the server names it", () => {
  const e = entry("case.action", { id: "ev1", at: AT, case_id: "c1", action: "comment", body: "好" });
  const once = applyEntry("cases", { id: "c1", events: [] }, e, MEMBER);
  assert.deepEqual(once.events.map((ev) => [ev.type, ev.data.body, ev.pending]), [["commented", "好", true]]);
  assert.equal(applyEntry("cases", once, e, MEMBER), once);
  assert.equal(applyEntry("cases", undefined, e, MEMBER), undefined); // not on this phone: nothing to show
  assert.equal(EVENT_OF_ACTION.escalate, "escalated");
});

test("task steps, household edits and read marks", () => {
  const accept = entry("task.action", { task_id: "t1", action: "accept" }, "x1");
  assert.equal(applyEntry("tasks", { id: "t1", status: "assigned" }, accept, MEMBER).status, "accepted");
  const done = entry("task.action", { task_id: "t1", action: "complete" }, "x2");
  assert.equal(applyEntry("tasks", { id: "t1", status: "accepted" }, done, MEMBER).status, "done");
  const create = entry("task.create", { id: "t2", assignee_id: 9, title: "送党报" });
  assert.equal(applyEntry("tasks", undefined, create, MEMBER).status, "assigned");

  const edit = entry("household.update", { household_id: 3, version: 4, phone: "138" }, "x3");
  assert.deepEqual(applyEntry("households", { id: 3, version: 5, phone: "139" }, edit, MEMBER),
    { id: 3, version: 5, phone: "138" }); // the version stays the server's

  const read = entry("notification.read", { notification_id: 11 }, "x4");
  assert.deepEqual(touches(read), [{ store: "notifications", id: 11 }]);
  assert.equal(applyEntry("notifications", { id: 11, read_at: null }, read, MEMBER).read_at, AT);
  const already = { id: 11, read_at: "2026-04-01T00:00:00+08:00" };
  assert.equal(applyEntry("notifications", already, read, MEMBER), already);
});
