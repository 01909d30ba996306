// Pulling the server's changes: GET /api/sync?cursor= page by page into the local copy. Without
// a cursor the server sends a snapshot, which replaces the copy; removals delete.
import { api } from "../api.js";
import { clearRecords, removeServer, saveServer, showAllQueued } from "./records.js";

const STORE_OF = { household: "households", visit: "visits", case: "cases", task: "tasks", notification: "notifications" };

// A page's changes as steps for the copy: {op: "save", store, records} (consecutive upserts of
// one store together) or {op: "remove", store, id}. Kinds this app does not keep are skipped.
export function planChanges(changes) {
  const steps = [];
  for (const c of changes) {
    const store = STORE_OF[c.type];
    if (!store) continue;
    if (c.op === "remove") {
      steps.push({ op: "remove", store, id: c.id });
      continue;
    }
    const last = steps[steps.length - 1];
    if (last && last.op === "save" && last.store === store) last.records.push(c.record);
    else steps.push({ op: "save", store, records: [c.record] });
  }
  return steps;
}

async function applyPage(db, user, changes) {
  for (const step of planChanges(changes)) {
    if (step.op === "remove") await removeServer(db, user, step.store, step.id);
    else await saveServer(db, user, step.store, step.records);
  }
}

// Every page in; then what is still waiting shows again (a snapshot, even one resumed after
// an interruption, has replaced the copy it was applied to).
export async function pullChanges(db, user) {
  let cursor = await db.getMeta("cursor");
  let snapshot = !cursor;
  for (;;) {
    const page = await api.get(`/api/sync${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`);
    // Only once the first page is here (offline keeps the copy); `reset`: what this user may see
    // changed (a new role, grid or informant's members), so the server starts a snapshot over.
    if (snapshot || page.reset) await clearRecords(db);
    snapshot = false;
    await applyPage(db, user, page.changes);
    cursor = page.cursor;
    await db.setMeta("cursor", cursor);
    if (!page.more) break;
  }
  await showAllQueued(db, user);
}
