// Sending (pwa/js/sync/send.js) and pulling (pwa/js/sync/pull.js): what each answer does, and
// the feed into the copy, against a stubbed fetch and an in-memory db.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { addToOutbox } from "../../pwa/js/sync/outbox.js";
import { planChanges, pullChanges } from "../../pwa/js/sync/pull.js";
import { showQueued } from "../../pwa/js/sync/records.js";
import { outcomeOf, sendOutbox } from "../../pwa/js/sync/send.js";
import { FakeDb, MEMBER } from "./fake-db.mjs";

const AT = "2026-05-01T09:30:00+08:00";
const entry = (type, data, id) => ({ id, type, at: AT, data, ref: { store: "households", id: 3 }, state: "pending" });
const realFetch = globalThis.fetch;
afterEach(() => { globalThis.fetch = realFetch; });

// Answers by path; records every request as [method, path, body].
function serve(routes) {
  const seen = [];
  globalThis.fetch = async (path, init) => {
    seen.push([init.method, path, init.body ? JSON.parse(init.body) : undefined]);
    const key = Object.keys(routes).find((p) => path.startsWith(p));
    const body = typeof routes[key] === "function" ? routes[key](JSON.parse(init.body || "null")) : routes[key];
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  };
  return seen;
}

test("outcomes: stored, kept as a conflict, refused, or not answered", () => {
  const e = entry("household.update", { household_id: 3, version: 4, phone: "138" }, "e1");
  assert.deepEqual(outcomeOf(e, { id: "e1", status: "applied", record: { id: 3 } }),
    { answered: true, leave: true, record: { store: "households", value: { id: 3 } } });
  assert.deepEqual(outcomeOf(e, { id: "e1", status: "duplicate", record: null }), { answered: true, leave: true, record: null });
  const conflict = outcomeOf(e, { id: "e1", status: "conflict", error: { message: "已被他人修改", current: { id: 3, phone: "139" } } }, AT);
  assert.deepEqual(conflict.conflict, { id: "e1", household_id: 3, mine: e.data, theirs: { id: 3, phone: "139" }, message: "已被他人修改", at: AT });
  assert.deepEqual(conflict.record, { store: "households", value: { id: 3, phone: "139" } });
  const task = { ...entry("task.action", { task_id: "t1", action: "accept" }, "x1"), ref: { store: "tasks", id: "t1" } };
  assert.deepEqual(outcomeOf(task, { id: "x1", status: "conflict", error: { code: "wrong_state" } }), { answered: true, reject: { code: "wrong_state" } });
  assert.deepEqual(outcomeOf(task, { id: "x1", status: "rejected", error: null }), { answered: true, reject: null });
  assert.deepEqual(outcomeOf(task, undefined), { answered: false });
  assert.deepEqual(outcomeOf(task, { id: "other", status: "applied" }), { answered: false });
});

test("a read mark is sent as notification.read and leaves once applied", async () => {
  const db = new FakeDb();
  const e = await addToOutbox(db, "notification.read", { notification_id: 11 }, "r1");
  await showQueued(db, MEMBER, e);
  const seen = serve({
    "/api/auth/csrf": { csrf_token: "t" },
    "/api/sync": ({ mutations }) => ({ results: mutations.map((m) => ({ id: m.id, status: "applied",
      record: { id: 11, title: "新任务", read_at: "2026-05-01T01:30:00+00:00" } })) }),
  });
  let reached = 0;
  await sendOutbox(db, MEMBER, { reached: () => { reached += 1; }, batchDone: async () => {} });
  const sent = seen.find(([m, p]) => m === "POST" && p === "/api/sync")[2];
  assert.deepEqual(sent, { mutations: [{ id: "r1", type: "notification.read", at: e.at, data: { notification_id: 11 } }] });
  assert.equal(reached, 1);
  assert.deepEqual(await db.outbox(), []);
  assert.equal((await db.get("notifications", 11)).read_at, "2026-05-01T01:30:00+00:00");
});

test("a refused write stays in the outbox, marked, with the server's message", async () => {
  const db = new FakeDb();
  await addToOutbox(db, "task.action", { task_id: "t1", action: "accept" }, "x1");
  serve({ "/api/sync": { results: [{ id: "x1", status: "rejected", error: { message: "只有任务承办人可以接受" } }] } });
  await sendOutbox(db, MEMBER, { reached: () => {}, batchDone: async () => {} });
  const [kept] = await db.outbox();
  assert.equal(kept.state, "rejected");
  assert.equal(kept.error.message, "只有任务承办人可以接受");
});

test("a batch the server answered for none of is an error (the loop backs off)", async () => {
  const db = new FakeDb();
  await addToOutbox(db, "task.action", { task_id: "t1", action: "accept" }, "x1");
  serve({ "/api/sync": { results: [] } });
  await assert.rejects(sendOutbox(db, MEMBER, { reached: () => {}, batchDone: async () => {} }), /answered none/);
  assert.equal((await db.outbox()).length, 1);
});

test("the feed's changes become steps: upserts of one kind together, removals, unknown kinds skipped", () => {
  const steps = planChanges([
    { type: "household", op: "upsert", id: "1", record: { id: 1 } },
    { type: "household", op: "upsert", id: "2", record: { id: 2 } },
    { type: "move", op: "upsert", id: "2", record: {} },
    { type: "household", op: "remove", id: "7", record: null },
    { type: "visit", op: "upsert", id: "v", record: { id: "v" } },
  ]);
  assert.deepEqual(steps, [
    { op: "save", store: "households", records: [{ id: 1 }, { id: 2 }] },
    { op: "remove", store: "households", id: "7" },
    { op: "save", store: "visits", records: [{ id: "v" }] },
  ]);
});

test("a snapshot replaces the copy, keeps what waits, and remembers the cursor", async () => {
  const db = new FakeDb();
  await db.put("households", { id: 99, head_name: "已调走" });
  const e = await addToOutbox(db, "household.update", { household_id: 1, version: 2, phone: "138" }, "e1");
  await showQueued(db, MEMBER, e);
  serve({ "/api/sync": { changes: [{ type: "household", op: "upsert", id: "1", record: { id: 1, version: 3, phone: "139" } }],
    cursor: "c-1", more: false } });
  await pullChanges(db, MEMBER);
  assert.deepEqual((await db.all("households")).map((x) => [x.id, x.phone]), [[1, "138"]]);
  assert.equal(await db.getMeta("cursor"), "c-1");
});

test("offline, a snapshot that never arrived leaves the copy alone", async () => {
  const db = new FakeDb();
  await db.put("households", { id: 1 });
  globalThis.fetch = async () => { throw new TypeError("Failed to fetch"); };
  await assert.rejects(pullChanges(db, MEMBER));
  assert.equal((await db.all("households")).length, 1);
});
