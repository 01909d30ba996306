// Tabs and offers follow the server's capabilities, never the role (pwa/js/capabilities.js, tabs.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { can, caseLevel } from "../../pwa/js/capabilities.js";
import { tabsFor } from "../../pwa/js/tabs.js";
import { MEMBER, userWith } from "./fake-db.mjs";

const keys = (user) => tabsFor(user).map((tab) => tab.key);

test("can / caseLevel read the capabilities only", () => {
  assert.equal(can(MEMBER, "cases.report_up"), true);
  assert.equal(can(MEMBER, "reports.view"), false);
  assert.equal(caseLevel(MEMBER), "member");
  const noCaps = { id: 1, role: "admin" };
  assert.equal(can(noCaps, "users.manage"), false);
  assert.equal(caseLevel(noCaps), null);
  assert.equal(can(null, "households.view"), false);
});

test("every user has 任务, 消息 and 我的; the rest come with capabilities, in a fixed order", () => {
  assert.deepEqual(keys(userWith([])), ["tasks", "inbox", "me"]);
  assert.deepEqual(keys(MEMBER), ["households", "tasks", "inbox", "me"]);
  assert.deepEqual(keys(userWith(["cases.queue", "exports.cases"])), ["tasks", "inbox", "queue", "me"]);
  assert.deepEqual(keys(userWith(["reports.view", "cases.queue", "households.view"])),
    ["households", "tasks", "inbox", "queue", "reports", "me"]);
});

test("the role alone gives nothing", () => {
  assert.deepEqual(keys({ id: 1, role: "secretary" }), ["tasks", "inbox", "me"]);
});
