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
  let base = server === undefined ? current : { ...(current || {}), ...server };
  if (store === "cases" && server) base = withTimeline(base, current, server);
  return pending.reduce((rec, entry) => applyEntry(store, rec, entry, user), base);
}

// A case's timeline on the phone: `events`, oldest first, the newest steps without a gap back to
// some point, and `events_next`, the server's cursor to the steps before them (null: none). What
// the server sends of it:
//   a detail: `events`, its newest page, and `events_next`. Older steps already kept stay when
//     the phone holds the page's oldest step, so nothing lies between them (else the page alone
//     is kept, with its cursor: a gap would never be filled);
//   a sync result: `event`, the one step it made, in place of the phone's pending copy;
//   an older page (更早的记录): `older_events`, newest first, `older_next`, and `older_after`, the
//     cursor it was fetched with: joined only if that is still the kept timeline's cursor (the
//     case may have been reloaded while it was on its way);
//   a list row or the feed: none of these, and the kept timeline stays.
export function withTimeline(base, current, server) {
  const kept = ((current && current.events) || []).filter((e) => !e.pending);
  const keptNext = current ? current.events_next : undefined;
  const out = { ...base };
  delete out.event;
  delete out.older_events;
  delete out.older_next;
  delete out.older_after;
  if (Array.isArray(server.events)) {
    const page = server.events;
    const next = server.events_next ?? null;
    const ids = new Set(page.map((e) => e.id));
    const older = kept.filter((e) => !ids.has(e.id));
    if (next !== null && older.length && page.length && kept.some((e) => e.id === page[0].id)) {
      out.events = [...older, ...page];
      out.events_next = keptNext ?? null;
    } else {
      out.events = page;
      out.events_next = next;
    }
  } else if (Array.isArray(server.older_events)) {
    if (server.older_after !== keptNext) return { ...out, events: (current && current.events) || [], events_next: keptNext ?? null };
    const have = new Set(kept.map((e) => e.id));
    const earlier = server.older_events.filter((e) => !have.has(e.id)).reverse();
    out.events = [...earlier, ...((current && current.events) || [])];
    out.events_next = server.older_next ?? null;
  } else if (server.event) {
    const events = (current && current.events) || [];
    const at = events.findIndex((e) => e.id === server.event.id);
    out.events = at < 0 ? [...events, server.event] : events.map((e, i) => (i === at ? server.event : e));
  }
  return out;
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
