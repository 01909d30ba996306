// Sending the outbox: POST /api/sync in batches, in order, and what each answer does to the
// entry. An entry leaves the outbox only when the server has taken responsibility for it.
import { request } from "../api.js";
import { isoNow } from "../dom.js";

const BATCH = 50;

// Sends every pending entry. `reached()` runs when the server answered a batch, `batchDone()`
// after its results are applied. Throws when the server answered for none of a batch.
export async function sendOutbox(db, { reached, batchDone }) {
  for (;;) {
    const entries = (await db.outbox()).filter((e) => e.state === "pending").slice(0, BATCH);
    if (!entries.length) return;
    const body = { mutations: entries.map((e) => ({ id: e.id, type: e.type, at: e.at, data: e.data })) };
    const res = await request("POST", "/api/sync", body);
    reached();
    const results = (res.data && res.data.results) || [];
    let answered = 0;
    for (const [i, entry] of entries.entries()) {
      const r = results[i] && results[i].id === entry.id ? results[i] : results.find((x) => x.id === entry.id);
      if (r && (await applyResult(db, entry, r))) answered += 1;
    }
    await batchDone();
    if (answered === 0) throw new Error("sync answered none of the batch");
  }
}

// True when the server has taken responsibility for the entry (it leaves the queue):
// applied / duplicate store the server's record; a household edit's conflict is kept with both
// versions; any other conflict or refusal stays in the outbox, marked rejected.
async function applyResult(db, entry, r) {
  if (r.status === "applied" || r.status === "duplicate") {
    await db.outboxDeleteById(entry.id);
    if (r.record) await storeRecord(db, entry, r.record);
    return true;
  }
  if (r.status === "conflict" && entry.type === "household.update") {
    const theirs = r.record || (r.error && r.error.current) || null;
    await db.put("conflicts", {
      id: entry.id, household_id: entry.data.household_id, mine: entry.data, theirs,
      message: r.error && r.error.message, at: isoNow(),
    });
    if (theirs) await db.put("households", { ...((await db.get("households", theirs.id)) || {}), ...theirs });
    await db.outboxDeleteById(entry.id);
    return true;
  }
  if (r.status === "conflict" || r.status === "rejected") {
    await db.put("outbox", { ...entry, state: "rejected", error: r.error || null });
    return true;
  }
  return false;
}

async function storeRecord(db, entry, record) {
  const store = entry.ref.store;
  if (!store || !record || record.id === undefined) return;
  if (store === "cases" && entry.type === "case.action" && !("status" in record)) return; // an event, not the case
  const old = (await db.get(store, record.id)) || {};
  await db.put(store, { ...old, ...record });
}
