// The outbox: every write waits here (client UUID + device time) until the server has answered
// for it; what it holds gives the header's 待同步 / 未能同步 counts and the per-record marks.
import { isoNow } from "../dom.js";

// Which local record an outbox entry changes (for the per-record 待同步 / 已同步 mark).
function refOf(type, data) {
  switch (type) {
    case "visit.create": return { store: "visits", id: data.id };
    case "case.create": return { store: "cases", id: data.id };
    case "case.action": return { store: "cases", id: data.case_id };
    case "task.create": return { store: "tasks", id: data.id };
    case "task.action": return { store: "tasks", id: data.task_id };
    case "household.update": return { store: "households", id: data.household_id };
    default: return { store: "", id: "" };
  }
}

// Records, not writes: a case opened and escalated offline is one record waiting.
function waitingRecords(entries) {
  return new Set(entries.filter((e) => e.state === "pending").map((e) => `${e.ref.store}:${e.ref.id}`));
}

// Put one write in the outbox and return the entry stored.
export async function addToOutbox(db, type, data, id) {
  let entry = { id, type, at: isoNow(), data, ref: refOf(type, data), state: "pending", attempts: 0, error: null };
  if (type === "household.update") {
    // Two edits before a sync: send them as one, on the version the first was based on
    // (the second would otherwise conflict with the first).
    const earlier = (await db.outbox()).find((e) => e.state === "pending" && e.type === type &&
      e.data.household_id === data.household_id);
    if (earlier) entry = { ...earlier, at: entry.at, data: { ...earlier.data, ...data, version: earlier.data.version } };
  }
  await db.put("outbox", entry);
  return entry;
}

// { pending: records waiting, rejected: writes the server refused or could not apply }
export async function outboxCounts(db) {
  const entries = await db.outbox();
  return {
    pending: waitingRecords(entries).size,
    rejected: entries.filter((e) => e.state === "rejected").length,
  };
}

// "visits:<id>" for every record with a write still waiting.
export async function pendingRefs(db) {
  return waitingRecords(await db.outbox());
}
