// The one merge rule of the phone's copy, as pure functions:
//   a record with writes still waiting in the outbox keeps its local changes (they are applied
//   again on top of whatever version arrives) until the server has answered for them;
//   otherwise the server's version wins.
// records.js is the only caller that stores the result.
import { applyEntry, sameRecord, touches } from "./effects.js";

// Households and notifications have numeric ids; the feed names every id as a string.
const NUMERIC_KEYS = new Set(["households", "notifications"]);

export function keyFor(store, id) {
  return NUMERIC_KEYS.has(store) && /^\d+$/.test(String(id)) ? Number(id) : id;
}

// The entries still waiting that change this record, in the order the user made them.
export function pendingFor(entries, store, id) {
  return entries.filter((e) => e.state === "pending" && touches(e).some((ref) => sameRecord(ref, store, id)));
}

// The record to store. `server`: the server's version (its fields win over the stored ones; a
// list row may carry fewer fields than a detail), or undefined when only local writes changed.
// Returns undefined when there is nothing to store (no record, and no write that makes one).
export function mergeRecord(store, current, server, pending, user) {
  const base = server === undefined ? current : { ...(current || {}), ...server };
  return pending.reduce((rec, entry) => applyEntry(store, rec, entry, user), base);
}

// The records every waiting entry touches, grouped by store: {store: [id, ...]}.
export function pendingRefsByStore(entries) {
  const out = {};
  for (const entry of entries) {
    if (entry.state !== "pending") continue;
    for (const ref of touches(entry)) {
      const ids = (out[ref.store] = out[ref.store] || []);
      if (!ids.some((id) => String(id) === String(ref.id))) ids.push(keyFor(ref.store, ref.id));
    }
  }
  return out;
}
