// The outbox: every write waits here (client UUID + device time) until the server has answered
// for it; what it holds gives the header's 待同步 / 未能同步 counts and the per-record marks.
// The rules are pure functions of the entries; the last three functions read and write the db.
import { isoNow } from "../dom.js";
import { touches } from "./effects.js";

// The record an entry is about (for the per-record 待同步 / 已同步 mark).
export function refOf(type, data) {
  return touches({ type, data })[0] || { store: "", id: "" };
}

// Records, not writes: a case opened and escalated offline is one record waiting.
export function waitingRecords(entries) {
  return new Set(entries.filter((e) => e.state === "pending").map((e) => `${e.ref.store}:${e.ref.id}`));
}

// { pending: records waiting, rejected: writes the server refused or could not apply }
export function countsOf(entries) {
  return { pending: waitingRecords(entries).size, rejected: entries.filter((e) => e.state === "rejected").length };
}

// The entry to store for a new write. Two household edits before a sync become one, on the
// version the first was based on (the second would otherwise conflict with the first).
export function newEntry(entries, type, data, id, at = isoNow()) {
  const entry = { id, type, at, data, ref: refOf(type, data), state: "pending", attempts: 0, error: null };
  if (type !== "household.update") return entry;
  const earlier = entries.find((e) => e.state === "pending" && e.type === type &&
    e.data.household_id === data.household_id);
  return earlier ? { ...earlier, at, data: { ...earlier.data, ...data, version: earlier.data.version } } : entry;
}

// The pending entries of the next batch, in the order the user made them, up to the next photo
// upload (which goes on its own, before whatever follows it).
export function nextBatch(entries, size) {
  const pending = entries.filter((e) => e.state === "pending");
  const photo = pending.findIndex((e) => e.type === "attachment.upload");
  return pending.slice(0, photo === -1 ? size : Math.min(photo, size));
}

// Put one write in the outbox and return the entry stored.
export async function addToOutbox(db, type, data, id) {
  const entry = newEntry(await db.outbox(), type, data, id);
  await db.put("outbox", entry);
  return entry;
}

export async function outboxCounts(db) {
  return countsOf(await db.outbox());
}

// "visits:<id>" for every record with a write still waiting.
export async function pendingRefs(db) {
  return waitingRecords(await db.outbox());
}
