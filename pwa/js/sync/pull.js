// Pulling the server's changes: GET /api/sync?cursor= page by page into the local copy (a full
// snapshot replaces it, removals delete), or the plain lists on a server without the feed.
import { ApiError, api } from "../api.js";

const STORE_OF = { household: "households", visit: "visits", case: "cases", task: "tasks", notification: "notifications" };
const DATA_STORES = ["households", "visits", "cases", "tasks", "notifications"];

export async function pullChanges(db) {
  let cursor = await db.getMeta("cursor");
  let first = true;
  for (;;) {
    let page;
    try {
      page = await api.get(`/api/sync${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405) && first) return pullLists(db);
      throw e;
    }
    if (first && !cursor) await db.clear(...DATA_STORES); // a full snapshot replaces the copy
    first = false;
    await applyChanges(db, page.changes || []);
    cursor = page.cursor;
    await db.setMeta("cursor", cursor);
    if (!page.more) break;
  }
}

// For a server without GET /api/sync: refresh from the plain lists (a full replace, so a
// household reassigned away disappears here too).
async function pullLists(db) {
  const households = await api.all("/api/households");
  await db.write(["households"], (s) => {
    s.households.clear();
    for (const h of households) s.households.put(h);
  });
  const keep = new Set(households.map((h) => h.id));
  for (const store of ["visits", "cases"]) {
    for (const row of await db.all(store)) if (!keep.has(row.household_id)) await db.delete(store, row.id);
  }
  try {
    const tasks = await api.all("/api/tasks");
    await db.write(["tasks"], (s) => { s.tasks.clear(); for (const x of tasks) s.tasks.put(x); });
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
}

async function applyChanges(db, changes) {
  for (const c of changes) {
    const store = STORE_OF[c.type];
    if (!store) continue;
    if (c.op === "remove") {
      // The feed names ids as strings; households and notifications are keyed by number here.
      const key = /^\d+$/.test(String(c.id)) ? Number(c.id) : c.id;
      await db.delete(store, key);
      if (key !== c.id) await db.delete(store, c.id);
      if (store === "households") {
        for (const s of ["visits", "cases"]) {
          for (const row of await db.byIndex(s, "household_id", key)) await db.delete(s, row.id);
        }
      }
    } else if (c.record) {
      const old = (await db.get(store, c.record.id ?? c.id)) || {};
      await db.put(store, { ...old, ...c.record, id: c.record.id ?? c.id });
    }
  }
}
