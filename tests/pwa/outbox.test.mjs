// The outbox's rules (pwa/js/sync/outbox.js): what is queued, what counts as waiting, the order.
import assert from "node:assert/strict";
import { test } from "node:test";

import { countsOf, newEntry, nextBatch, refOf, waitingRecords } from "../../pwa/js/sync/outbox.js";

const AT = "2026-05-01T09:30:00+08:00";

test("an entry is pending, stamped, and names the record it is about", () => {
  const e = newEntry([], "case.action", { id: "ev1", case_id: "c1", action: "escalate" }, "ev1", AT);
  assert.deepEqual(e, { id: "ev1", type: "case.action", at: AT, data: { id: "ev1", case_id: "c1", action: "escalate" },
    ref: { store: "cases", id: "c1" }, state: "pending", attempts: 0, error: null });
  assert.deepEqual(refOf("notification.read", { notification_id: 11 }), { store: "notifications", id: 11 });
});

test("two household edits before a sync become one, on the first one's version", () => {
  const first = { ...newEntry([], "household.update", { household_id: 3, version: 4, phone: "138" }, "e1", AT), seq: 1 };
  const second = newEntry([first], "household.update", { household_id: 3, version: 5, people: 2 }, "e2", "later");
  assert.equal(second.id, "e1");
  assert.equal(second.seq, 1); // replaces the first in place
  assert.deepEqual(second.data, { household_id: 3, version: 4, phone: "138", people: 2 });
  assert.equal(second.at, "later");
  const other = newEntry([first], "household.update", { household_id: 9, version: 1, people: 2 }, "e3", AT);
  assert.equal(other.id, "e3");
  const afterRefusal = newEntry([{ ...first, state: "rejected" }], "household.update", { household_id: 3, version: 6 }, "e4", AT);
  assert.equal(afterRefusal.id, "e4");
});

test("counts are records, not writes: a case opened and escalated offline is one waiting", () => {
  const entries = [
    newEntry([], "visit.create", { id: "v1", household_id: 3 }, "v1", AT),
    newEntry([], "case.create", { id: "c1", household_id: 3 }, "c1", AT),
    newEntry([], "case.action", { id: "a1", case_id: "c1", action: "escalate" }, "a1", AT),
    { ...newEntry([], "task.action", { task_id: "t1", action: "accept" }, "x", AT), state: "rejected" },
  ];
  assert.deepEqual(countsOf(entries), { pending: 2, rejected: 1 });
  assert.deepEqual([...waitingRecords(entries)], ["visits:v1", "cases:c1"]);
});

test("a batch is the pending entries in the order the user made them", () => {
  const entries = ["a", "b", "c", "d"].map((id, i) => ({ id, state: i === 1 ? "rejected" : "pending" }));
  assert.deepEqual(nextBatch(entries, 2).map((e) => e.id), ["a", "c"]);
});
