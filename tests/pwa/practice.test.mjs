// The phone's local effect of the practice's steps (pwa/js/sync/effects.js): a 回访 made offline
// shows its answer and is not offered twice; every new step is named as the server names it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { EVENT_OF_ACTION, applyEntry } from "../../pwa/js/sync/effects.js";
import { MEMBER } from "./fake-db.mjs";

const AT = "2026-05-01T09:30:00+08:00";
const entry = (data) => ({ id: data.id, type: "case.action", at: AT, data, state: "pending" });

test("a revisit made offline shows its answer once and is not offered again", () => {
  const rec = { id: "c1", status: "resolved", actions: ["revisit", "comment"], events: [] };
  const e = entry({ id: "r1", at: AT, case_id: "c1", action: "revisit", satisfaction: "unsatisfied", mode: "door", notes: "还漏" });
  const once = applyEntry("cases", rec, e, MEMBER);
  assert.equal(once.satisfaction, "unsatisfied");
  assert.deepEqual(once.actions, ["comment"]);
  assert.deepEqual(once.events.map((ev) => [ev.type, ev.data.satisfaction, ev.data.notes, ev.pending]),
    [["revisited", "unsatisfied", "还漏", true]]);
  assert.equal(applyEntry("cases", once, e, MEMBER), once); // twice is once
});

test("a comment leaves the other actions offered", () => {
  const rec = { id: "c1", actions: ["return", "comment"], events: [] };
  const e = entry({ id: "x1", at: AT, case_id: "c1", action: "comment", body: "好" });
  assert.deepEqual(applyEntry("cases", rec, e, MEMBER).actions, ["return", "comment"]);
});

test("the new steps carry the server's event names", () => {
  assert.deepEqual(
    ["return", "reject", "recall", "reassign", "revisit", "merge"].map((a) => EVENT_OF_ACTION[a]),
    ["returned", "rejected", "recalled", "reassigned", "revisited", "merged"]);
});
