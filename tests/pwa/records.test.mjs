// The one write path (pwa/js/sync/records.js) over an in-memory db: server versions, queued
// writes and removals all merge the same way.
import assert from "node:assert/strict";
import { test } from "node:test";

import { addToOutbox } from "../../pwa/js/sync/outbox.js";
import { removeServer, saveServer, showAllQueued, showQueued } from "../../pwa/js/sync/records.js";
import { FakeDb, MEMBER } from "./fake-db.mjs";

async function queue(db, type, data, id = data.id) {
  const entry = await addToOutbox(db, type, data, id);
  await showQueued(db, MEMBER, entry);
  return entry;
}

test("a queued write shows at once and survives a server version arriving", async () => {
  const db = new FakeDb();
  await saveServer(db, MEMBER, "notifications", [{ id: 11, title: "新任务", read_at: null }]);
  await queue(db, "notification.read", { notification_id: 11 }, "r1");
  assert.ok((await db.get("notifications", 11)).read_at);
  await saveServer(db, MEMBER, "notifications", [{ id: 11, title: "新任务", read_at: null }]); // the poll
  assert.ok((await db.get("notifications", 11)).read_at);
  await db.outboxDeleteById("r1"); // the server has it
  await saveServer(db, MEMBER, "notifications", [{ id: 11, title: "新任务", read_at: null }]);
  assert.equal((await db.get("notifications", 11)).read_at, null); // from now on the server's word
});

test("a visit made offline appears with its household's last visit", async () => {
  const db = new FakeDb();
  await saveServer(db, MEMBER, "households", [{ id: 3, head_name: "姜彩凤", last_visit: null }]);
  await queue(db, "visit.create", { id: "v1", household_id: 3, visited_at: "2026-05-01T09:30:00+08:00", mode: "door" });
  assert.equal((await db.get("visits", "v1")).household_id, 3);
  assert.equal((await db.get("households", 3)).last_visit.id, "v1");
});

test("a snapshot replaced the copy: what still waits shows again", async () => {
  const db = new FakeDb();
  await queue(db, "visit.create", { id: "v1", household_id: 3, visited_at: "2026-05-01T09:30:00+08:00" });
  await db.clear("visits", "households");
  await saveServer(db, MEMBER, "households", [{ id: 3, head_name: "姜彩凤" }]);
  await showAllQueued(db, MEMBER);
  assert.ok(await db.get("visits", "v1"));
  assert.equal((await db.get("households", 3)).last_visit.id, "v1");
});

test("a household removed takes its visits and cases along; ids may come as strings", async () => {
  const db = new FakeDb();
  await saveServer(db, MEMBER, "households", [{ id: 3 }, { id: 4 }]);
  await saveServer(db, MEMBER, "visits", [{ id: "v1", household_id: 3 }, { id: "v2", household_id: 4 }]);
  await saveServer(db, MEMBER, "cases", [{ id: "c1", household_id: 3 }]);
  await removeServer(db, MEMBER, "households", "3");
  assert.deepEqual((await db.all("households")).map((x) => x.id), [4]);
  assert.deepEqual((await db.all("visits")).map((x) => x.id), ["v2"]);
  assert.deepEqual(await db.all("cases"), []);
});
