// A case's timeline on the phone (pwa/js/sync/merge.js withTimeline): the detail brings its newest
// page, a sync result only the step it made, 更早的记录 an older page; the kept timeline has no
// gap and no pending copy once the server has answered.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { mergeRecord } from "../../pwa/js/sync/merge.js";
import { addToOutbox } from "../../pwa/js/sync/outbox.js";
import { saveServer, showQueued } from "../../pwa/js/sync/records.js";
import { sendOutbox } from "../../pwa/js/sync/send.js";
import { FakeDb, MEMBER } from "./fake-db.mjs";

const AT = "2026-05-01T09:30:00+08:00";
const ev = (n) => ({ id: `e${n}`, type: "commented", actor: { id: 7, name: "石水奇" }, at: AT, data: { body: `第 ${n} 条` }, attachments: [] });
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => ev(from + i));
const ids = (events) => events.map((e) => e.id);
const realFetch = globalThis.fetch;
afterEach(() => { globalThis.fetch = realFetch; });

test("a detail's page that reaches the kept steps keeps the older ones and their cursor", () => {
  const kept = { id: "c1", events: range(1, 60), events_next: "before-1" };
  const merged = mergeRecord("cases", kept, { id: "c1", events: range(41, 90), events_next: "before-41" }, [], MEMBER);
  assert.deepEqual(ids(merged.events), ids(range(1, 90)));
  assert.equal(merged.events_next, "before-1");
});

test("a detail's page past a gap replaces the kept steps (the gap is loaded again page by page)", () => {
  const kept = { id: "c1", events: range(1, 50), events_next: null };
  const merged = mergeRecord("cases", kept, { id: "c1", events: range(71, 120), events_next: "before-71" }, [], MEMBER);
  assert.deepEqual(ids(merged.events), ids(range(71, 120)));
  assert.equal(merged.events_next, "before-71");
});

test("a whole timeline in one page is the timeline", () => {
  const merged = mergeRecord("cases", { id: "c1", events: range(1, 3), events_next: "x" }, { id: "c1", events: range(1, 4), events_next: null }, [], MEMBER);
  assert.deepEqual(ids(merged.events), ["e1", "e2", "e3", "e4"]);
  assert.equal(merged.events_next, null);
});

test("an older page (更早的记录) goes before the kept steps, with the next cursor", () => {
  const kept = { id: "c1", title: "屋顶漏雨", events: range(51, 100), events_next: "before-51" };
  const older = range(1, 50).reverse(); // the server lists older pages newest first
  const merged = mergeRecord("cases", kept, { id: "c1", older_events: older, older_next: null, older_after: "before-51" }, [], MEMBER);
  assert.deepEqual(ids(merged.events), ids(range(1, 100)));
  assert.equal(merged.events_next, null);
  assert.equal(merged.title, "屋顶漏雨");
  assert.ok(!("older_events" in merged) && !("older_next" in merged) && !("older_after" in merged));
});

test("a step the phone sent is no bridge: a newer page past a gap replaces the kept steps", () => {
  // kept: steps 1-50 (cursor before 1) and step 200, the phone's own comment back from sync;
  // the case page now brings 151-200. Keeping 1-50 would hide 51-150 for good.
  const kept = { id: "c1", events: [...range(1, 50), ev(200)], events_next: "before-1" };
  const merged = mergeRecord("cases", kept, { id: "c1", events: range(151, 200), events_next: "before-151" }, [], MEMBER);
  assert.deepEqual(ids(merged.events), ids(range(151, 200)));
  assert.equal(merged.events_next, "before-151");
});

test("an older page fetched before the case was reloaded is not joined to the new page", () => {
  const reloaded = { id: "c1", events: range(151, 200), events_next: "before-151" };
  const late = { id: "c1", older_events: range(1, 50).reverse(), older_next: null, older_after: "before-51" };
  const merged = mergeRecord("cases", reloaded, late, [], MEMBER);
  assert.deepEqual(ids(merged.events), ids(range(151, 200)));
  assert.equal(merged.events_next, "before-151");
});

test("a list row or the feed keeps the timeline", () => {
  const kept = { id: "c1", status: "open", events: range(1, 5), events_next: "n" };
  assert.deepEqual(mergeRecord("cases", kept, { id: "c1", status: "escalated" }, [], MEMBER),
    { ...kept, status: "escalated" });
});

test("a step's photos show by id while it waits, then as the server's", () => {
  const entry = { id: "s1", type: "case.action", at: AT, state: "pending",
    data: { id: "s1", at: AT, case_id: "c1", action: "return", reason: "请补拍屋顶", attachments: ["p1"] } };
  const waiting = mergeRecord("cases", { id: "c1", events: range(1, 2), actions: ["return"] }, undefined, [entry], MEMBER);
  const step = waiting.events.at(-1);
  assert.deepEqual([step.id, step.pending, step.attachments, step.data], ["s1", true, ["p1"], { reason: "请补拍屋顶" }]);
  const photo = { id: "p1", url: "/api/attachments/p1", thumb_url: "/api/attachments/p1?thumb=1" };
  const server = { id: "c1", actions: [], event: { id: "s1", type: "returned", at: AT, data: { reason: "请补拍屋顶" }, attachments: [photo] } };
  const answered = mergeRecord("cases", waiting, server, [], MEMBER);
  assert.deepEqual(ids(answered.events), ["e1", "e2", "s1"]);
  assert.deepEqual(answered.events.at(-1), server.event);
  assert.ok(!("event" in answered));
});

test("200 comments sent from the phone: small answers, and the copy holds each step once", async () => {
  const db = new FakeDb();
  const caseRow = { id: "c1", title: "屋顶漏雨", status: "open", actions: ["comment"], events: range(1, 50), events_next: "before-1" };
  await saveServer(db, MEMBER, "cases", [caseRow]);
  for (let n = 1; n <= 200; n += 1) {
    const e = await addToOutbox(db, "case.action", { id: `m${n}`, at: AT, case_id: "c1", action: "comment", body: `补充 ${n}` }, `m${n}`);
    await showQueued(db, MEMBER, e);
  }
  const waiting = await db.get("cases", "c1");
  assert.equal(waiting.events.length, 250);
  assert.equal(waiting.events.filter((e) => e.pending).length, 200);
  let posts = 0;
  globalThis.fetch = async (path, init) => {
    const body = JSON.parse(init.body || "null");
    if (path === "/api/sync") posts += 1;
    // as the server answers (app/cases/schemas.py CaseStep): the case without its timeline, and its step
    const results = path === "/api/sync" ? body.mutations.map((m) => ({ id: m.id, status: "applied", record: {
      id: "c1", title: "屋顶漏雨", status: "open", actions: ["comment", "escalate"],
      event: { id: m.data.id, type: "commented", actor: { id: 7, name: "石水奇" }, at: m.data.at,
        recorded_at: AT, data: { body: m.data.body }, attachments: [] } } })) : undefined;
    return new Response(JSON.stringify(results ? { results } : { csrf_token: "t" }), { status: 200, headers: { "Content-Type": "application/json" } });
  };
  await sendOutbox(db, MEMBER, { reached: () => {}, batchDone: async () => {} });
  assert.equal(posts, 4); // batches of 50
  assert.deepEqual(await db.outbox(), []);
  const stored = await db.get("cases", "c1");
  assert.equal(stored.events.length, 250);
  assert.equal(new Set(ids(stored.events)).size, 250);
  assert.ok(stored.events.every((e) => !e.pending));
  assert.equal(stored.events.at(-1).data.body, "补充 200");
  assert.equal(stored.events_next, "before-1");
  assert.deepEqual(stored.actions, ["comment", "escalate"]);
  assert.ok(!("event" in stored));
});
