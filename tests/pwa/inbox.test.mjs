// Where an inbox entry leads (pwa/js/views/inbox.js): a task, a case, and 走访提醒, which names the
// first of the member's unvisited households and opens it (记录走访 is on its page).
import assert from "node:assert/strict";
import { test } from "node:test";

import { target } from "../../pwa/js/views/inbox.js";

test("a task and a case open themselves", () => {
  assert.equal(target({ kind: "task_assigned", ref: { type: "task", id: "t1" } }), "#/tasks/t1");
  assert.equal(target({ kind: "case_arrived", ref: { type: "case", id: "c1" } }), "#/cases/c1");
});

test("an unvisited reminder opens the household it names", () => {
  assert.equal(target({ kind: "unvisited", ref: { type: "household", id: "42" } }), "#/households/42");
  assert.equal(target({ kind: "unvisited", ref: { type: "household", id: null } }), null);
  assert.equal(target({ kind: "other", ref: null }), null);
});
