// The one way into the phone's copy of server records (households, visits, cases, tasks,
// notifications): a server version arriving (feed, lists, details, sync answers, inbox poll), a
// write just queued, a removal. Everything goes through writeRecords(), which merges with the
// one rule in merge.js inside a single IndexedDB transaction with the outbox.
import { touches } from "./effects.js";
import { keyFor, mergeRecord, pendingFor, pendingRefsByStore } from "./merge.js";

export const RECORD_STORES = ["households", "visits", "cases", "tasks", "notifications"];

// items: [{id, server}] with `server` the server's version, undefined to re-merge the stored
// record with the waiting writes, or null to remove it.
export async function writeRecords(db, user, store, items) {
  if (!items.length) return;
  const byKey = new Map(items.map((item) => [keyFor(store, item.id), item]));
  await db.update(store, [...byKey.keys()], (key, current, outbox) => {
    const { server } = byKey.get(key);
    if (server === null) return current === undefined ? undefined : null;
    return mergeRecord(store, current, server, pendingFor(outbox, store, key), user);
  });
}

// Server versions of records (whole or list rows) into the copy.
export function saveServer(db, user, store, records) {
  return writeRecords(db, user, store, records.map((record) => ({ id: record.id, server: record })));
}

// The server no longer shows this record to us; a household takes its visits and cases along.
export async function removeServer(db, user, store, id) {
  const key = keyFor(store, id);
  await writeRecords(db, user, store, [{ id: key, server: null }]);
  if (store !== "households") return;
  for (const dependent of ["visits", "cases"]) {
    const rows = await db.byIndex(dependent, "household_id", key);
    await writeRecords(db, user, dependent, rows.map((row) => ({ id: row.id, server: null })));
  }
}

// A write just put in the outbox: show it in every record it touches.
export async function showQueued(db, user, entry) {
  for (const ref of touches(entry)) await writeRecords(db, user, ref.store, [{ id: ref.id }]);
}

// After the copy was replaced by a snapshot: what is still waiting shows again.
export async function showAllQueued(db, user) {
  const refs = pendingRefsByStore(await db.outbox());
  for (const [store, ids] of Object.entries(refs)) await writeRecords(db, user, store, ids.map((id) => ({ id })));
}

// The first page of a snapshot replaces the copy (the outbox stays).
export function clearRecords(db) {
  return db.clear(...RECORD_STORES);
}
