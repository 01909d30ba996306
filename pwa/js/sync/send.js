// Sending the outbox: POST /api/sync in batches, in order, and what each answer does to the
// entry. An entry leaves the outbox only when the server has taken responsibility for it.
import { request } from "../api.js";
import { isoNow } from "../dom.js";
import { nextBatch } from "./outbox.js";
import { saveServer } from "./records.js";
import { UPLOAD, uploadEntry } from "./upload.js";

const BATCH = 50;

// What the server's answer `r` means for `entry` (pure):
//   applied / duplicate: the entry leaves; the server's record (when it still shows it) is stored;
//   a household edit's conflict: the entry leaves, both versions are kept for the user to choose;
//   any other conflict or refusal: the entry stays, marked rejected with the server's error;
//   no answer for it: {answered: false}, it is sent again next round.
export function outcomeOf(entry, r, at = isoNow()) {
  if (!r || r.id !== entry.id) return { answered: false };
  const store = entry.ref.store;
  if (r.status === "applied" || r.status === "duplicate") {
    return { answered: true, leave: true, record: r.record ? { store, value: r.record } : null };
  }
  if (r.status === "conflict" && entry.type === "household.update") {
    const theirs = (r.error && r.error.current) || null;
    return {
      answered: true, leave: true, record: theirs ? { store, value: theirs } : null,
      conflict: { id: entry.id, household_id: entry.data.household_id, mine: entry.data, theirs,
        message: r.error && r.error.message, at },
    };
  }
  if (r.status === "conflict" || r.status === "rejected") return { answered: true, reject: r.error || null };
  return { answered: false };
}

// The entry leaves before the record is stored, so the merge no longer re-applies it.
async function applyOutcome(db, user, entry, o) {
  if (o.leave) await db.outboxDeleteById(entry.id);
  if (o.conflict) await db.put("conflicts", o.conflict);
  if (o.reject !== undefined) await db.put("outbox", { ...entry, state: "rejected", error: o.reject });
  if (o.record) await saveServer(db, user, o.record.store, [o.record.value]);
}

// Sends every pending entry, in order: a queued photo goes up on its own (sync/upload.js), the
// other writes in batches that stop before the next photo, so a record always follows the photos
// it names. `reached()` runs when the server answered, `batchDone()` after the answers are
// applied. Throws when the server answered for none of a batch, or a photo must wait.
export async function sendOutbox(db, user, { reached, batchDone }) {
  for (;;) {
    const waiting = await db.outbox();
    const head = waiting.find((e) => e.state === "pending");
    if (head && head.type === UPLOAD) {
      await uploadEntry(db, head);
      reached();
      await batchDone();
      continue;
    }
    const entries = nextBatch(waiting, BATCH);
    if (!entries.length) return;
    const body = { mutations: entries.map((e) => ({ id: e.id, type: e.type, at: e.at, data: e.data })) };
    const res = await request("POST", "/api/sync", body);
    reached();
    let answered = 0;
    for (const [i, entry] of entries.entries()) {
      const o = outcomeOf(entry, res.data.results[i]);
      if (!o.answered) continue;
      await applyOutcome(db, user, entry, o);
      answered += 1;
    }
    await batchDone();
    if (answered === 0) throw new Error("sync answered none of the batch");
  }
}
