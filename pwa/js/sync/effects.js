// What each kind of queued write does to the phone's own copy, as pure functions: which records
// it touches, and the record with the change applied. Every effect is idempotent (applying it
// twice equals once), so the one merge (merge.js) can re-apply every waiting write on top of
// any version of a record, old or fresh from the server.
import { caseLevel } from "../capabilities.js";

// The event a case action leaves on the timeline (the server's names, app/cases/transitions.py).
export const EVENT_OF_ACTION = {
  escalate: "escalated", dispatch: "dispatched", accept: "accepted", resolve: "resolved",
  close: "closed", reopen: "reopened", comment: "commented", return: "returned", reject: "rejected",
  recall: "recalled", reassign: "reassigned", revisit: "revisited", merge: "merged",
};
export const OPENED_EVENT = "opened";

// The records an entry changes, its own record first: [{store, id}].
export function touches(entry) {
  const d = entry.data;
  switch (entry.type) {
    case "visit.create": return [{ store: "visits", id: d.id }, { store: "households", id: d.household_id }];
    case "case.create": return [{ store: "cases", id: d.id }];
    case "case.action": return [{ store: "cases", id: d.case_id }];
    case "task.create": return [{ store: "tasks", id: d.id }];
    case "task.action": return [{ store: "tasks", id: d.task_id }];
    case "household.update": return [{ store: "households", id: d.household_id }];
    case "notification.read": return [{ store: "notifications", id: d.notification_id }];
    case "attachment.upload": return d.owner ? [{ store: d.owner.store, id: d.owner.id }] : []; // waits with its record
    default: return [];
  }
}

export function sameRecord(ref, store, id) {
  return ref.store === store && String(ref.id) === String(id);
}

function actorOf(user) {
  return { id: user.id, name: user.name, role: user.role };
}

function visitCreate(store, rec, entry, user) {
  const d = entry.data;
  if (store === "visits") return { ...rec, ...d, author: (rec && rec.author) || { id: user.id, name: user.name } };
  if (!rec || (rec.last_visit && rec.last_visit.visited_at >= d.visited_at)) return rec;
  return { ...rec, last_visit: { id: d.id, visited_at: d.visited_at, mode: d.mode, hardship: d.hardship } };
}

function caseCreate(rec, entry, user) {
  if (rec) return rec; // the server's copy (or ours, already made)
  const d = entry.data;
  return {
    ...d, status: "open", level: caseLevel(user), holder: actorOf(user), created_at: entry.at,
    events: [{ id: d.id, type: OPENED_EVENT, actor: actorOf(user), at: entry.at, data: {}, pending: true }],
  };
}

// A step taken on the phone shows on the timeline at once; until the server answers, the same step is
// not offered again (a 回访 made twice offline would be two answers), and a 回访 shows its answer.
function caseAction(rec, entry, user) {
  if (!rec || (rec.events || []).some((ev) => ev.id === entry.id)) return rec;
  const { id, at, case_id: _c, action, attachments, ...fields } = entry.data;
  // Its photos by id until the server answers with them (photos.js shows the phone's own copies).
  const event = { id, type: EVENT_OF_ACTION[action], actor: actorOf(user), at, data: fields,
    attachments: attachments || [], pending: true };
  const next = { ...rec, events: [...(rec.events || []), event] };
  if (action !== "comment" && Array.isArray(rec.actions)) next.actions = rec.actions.filter((a) => a !== action);
  if (action === "revisit") next.satisfaction = fields.satisfaction;
  return next;
}

function householdUpdate(rec, entry) {
  if (!rec) return rec;
  const { household_id: _h, version: _v, ...changes } = entry.data;
  return { ...rec, ...changes };
}

// `rec` with the entry's change applied to it (in `store`); `rec` itself when there is nothing
// to change. May return undefined when the record is not on the phone and the entry cannot make it.
export function applyEntry(store, rec, entry, user) {
  switch (entry.type) {
    case "visit.create": return visitCreate(store, rec, entry, user);
    case "case.create": return caseCreate(rec, entry, user);
    case "case.action": return caseAction(rec, entry, user);
    case "task.create": return rec || { ...entry.data, status: "assigned" };
    case "task.action": return rec && { ...rec, status: entry.data.action === "accept" ? "accepted" : "done" };
    case "household.update": return householdUpdate(rec, entry);
    case "notification.read": return rec && (rec.read_at ? rec : { ...rec, read_at: entry.at });
    default: return rec;
  }
}
