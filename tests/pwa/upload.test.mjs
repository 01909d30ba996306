// Photos in the outbox (pwa/js/sync/upload.js and its place in send.js): a photo goes up before
// the record that names it, on its own, as multipart with its UUID; it leaves the outbox only
// when the server has it; a refused photo no longer holds up (or spoils) its record.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { ApiError } from "../../pwa/js/api.js";
import { addToOutbox, countsOf, nextBatch } from "../../pwa/js/sync/outbox.js";
import { sendOutbox } from "../../pwa/js/sync/send.js";
import { UPLOAD, uploadOutcome, withoutPhoto } from "../../pwa/js/sync/upload.js";
import { FakeDb, MEMBER } from "./fake-db.mjs";

const realFetch = globalThis.fetch;
afterEach(() => { globalThis.fetch = realFetch; });
const noop = { reached: () => {}, batchDone: async () => {} };

// A phone with a visit and its two photos queued (photos first, as photos.js queues them).
async function visitWithPhotos() {
  const db = new FakeDb();
  const owner = { store: "visits", id: "v1" };
  for (const id of ["p1", "p2"]) {
    await db.put("photos", { id, visit_id: "v1", owner, blob: new Blob([`jpeg ${id}`], { type: "image/jpeg" }),
      thumb: new Blob(["t"], { type: "image/jpeg" }) });
    await addToOutbox(db, UPLOAD, { id, owner, keep_location: false }, id);
  }
  await addToOutbox(db, "visit.create", { id: "v1", household_id: 3, attachments: ["p1", "p2"] }, "v1");
  return db;
}

// Answers uploads with `upload(id)` ({status, body}) and /api/sync by applying every mutation.
function serve(upload) {
  const seen = [];
  globalThis.fetch = async (path, init) => {
    if (path === "/api/auth/csrf") return json(200, { csrf_token: "t" });
    if (path === "/api/attachments") {
      const id = init.body.get("id");
      seen.push(["upload", id, init.body.get("file").size, init.headers["Content-Type"]]);
      const { status, body } = upload(id);
      return json(status, body);
    }
    const { mutations } = JSON.parse(init.body);
    seen.push(["sync", mutations.map((m) => [m.id, m.data.attachments])]);
    return json(200, { results: mutations.map((m) => ({ id: m.id, status: "applied", record: null })) });
  };
  return seen;
}

function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

test("photos go up one by one before the visit that names them, which then goes in a batch", async () => {
  const db = await visitWithPhotos();
  const seen = serve((id) => ({ status: 201, body: { id } }));
  await sendOutbox(db, MEMBER, noop);
  assert.deepEqual(seen.map((s) => s.slice(0, 2)), [["upload", "p1"], ["upload", "p2"], ["sync", [["v1", ["p1", "p2"]]]]]);
  assert.equal(seen[0][3], undefined); // the browser writes the multipart Content-Type itself
  assert.deepEqual(await db.outbox(), []);
  const p1 = await db.get("photos", "p1");
  assert.equal(p1.blob, null); // the bytes are gone once the server has them ...
  assert.ok(p1.thumb && p1.uploaded); // ... the thumbnail stays for the household page
});

test("with no network nothing leaves: the photo and its visit wait, counted as one record", async () => {
  const db = await visitWithPhotos();
  globalThis.fetch = async () => { throw new TypeError("Failed to fetch"); };
  await assert.rejects(sendOutbox(db, MEMBER, noop));
  assert.equal((await db.outbox()).length, 3);
  assert.ok((await db.get("photos", "p1")).blob);
  assert.deepEqual(countsOf(await db.outbox()), { pending: 1, rejected: 0 });
});

test("an upload cut off is sent again with the same id; the server's 200 for a resend is success", async () => {
  const db = await visitWithPhotos();
  let calls = 0;
  serve(() => {
    calls += 1;
    return calls === 1 ? { status: 503, body: { error: { code: "busy", message: "系统繁忙" } } } : { status: 200, body: {} };
  });
  await assert.rejects(sendOutbox(db, MEMBER, noop));
  assert.equal((await db.outbox()).length, 3);
  const seen = serve(() => ({ status: 200, body: {} }));
  await sendOutbox(db, MEMBER, noop);
  assert.deepEqual(seen.filter((s) => s[0] === "upload").map((s) => s[1]), ["p1", "p2"]);
  assert.deepEqual(await db.outbox(), []);
});

test("a refused photo is kept with the server's message and its visit goes without it", async () => {
  const db = await visitWithPhotos();
  const refusal = { error: { code: "not_an_image", message: "照片：只接受 JPEG、PNG 或 WebP 格式的照片", fields: { file: ["x"] } } };
  const seen = serve((id) => (id === "p1" ? { status: 422, body: refusal } : { status: 201, body: {} }));
  await sendOutbox(db, MEMBER, noop);
  assert.deepEqual(seen.at(-1), ["sync", [["v1", ["p2"]]]]);
  const [kept] = await db.outbox();
  assert.equal(kept.id, "p1");
  assert.equal(kept.state, "rejected");
  assert.equal(kept.error.message, refusal.error.message);
  assert.ok((await db.get("photos", "p1")).failed);
});

test("the outcome of an upload's answer", () => {
  assert.deepEqual(uploadOutcome(null), { leave: true });
  assert.deepEqual(uploadOutcome(new ApiError({ offline: true })), { retry: true });
  for (const status of [401, 429, 500, 503]) assert.deepEqual(uploadOutcome(new ApiError({ status })), { retry: true });
  assert.equal(uploadOutcome(new ApiError({ status: 413, code: "too_large", message: "过大" })).reject.code, "too_large");
  assert.equal(uploadOutcome(new ApiError({ status: 409, code: "duplicate_id" })).reject.status, 409);
  assert.deepEqual(uploadOutcome(new Error("bug")), { retry: true });
});

test("a batch stops before the next photo; a record names a refused photo no more", () => {
  const e = (id, type) => ({ id, type, state: "pending", data: {} });
  const entries = [e("a", "visit.create"), e("p", UPLOAD), e("b", "visit.create")];
  assert.deepEqual(nextBatch(entries, 50).map((x) => x.id), ["a"]);
  assert.deepEqual(nextBatch(entries.slice(1), 50).map((x) => x.id), []);
  assert.deepEqual(nextBatch(entries.slice(2), 50).map((x) => x.id), ["b"]);
  assert.deepEqual(withoutPhoto({ id: "v", attachments: ["p", "q"] }, "p"), { id: "v", attachments: ["q"] });
  assert.equal(withoutPhoto({ id: "v", attachments: ["q"] }, "p"), null);
  assert.equal(withoutPhoto({ id: "v" }, "p"), null);
});
