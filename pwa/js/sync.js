// The outbox and the sync loop.
//
// Every write is put in the outbox first (client UUID + device time) and applied to the local
// copy at once, so the phone works the same with or without network. The loop sends the outbox
// through POST /api/sync on app start, on the "online" event, after each new write, and then
// retries with exponential backoff; an entry leaves the outbox only when the server has answered
// for it (applied / duplicate; a conflict or a refusal is kept and shown, never dropped silently).
// Then GET /api/sync?cursor= brings the caller's scope up to date, removals included.
import { ApiError, api, request } from "./api.js";
import { isoNow, uuid } from "./dom.js";

const BATCH = 50;
const BASE_DELAY = 5000;
const MAX_DELAY = 5 * 60 * 1000;
const PERIOD = 5 * 60 * 1000;
const STORE_OF = { household: "households", visit: "visits", case: "cases", task: "tasks", notification: "notifications" };
const DATA_STORES = ["households", "visits", "cases", "tasks", "notifications"];
const LEVEL_OF_ROLE = {
  member: "member", informant: "informant", grid_leader: "grid", secretary: "branch",
  township: "township", department: "department", admin: "township",
};

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

export class Sync extends EventTarget {
  constructor(db, user) {
    super();
    this.db = db;
    this.user = user;
    this.failures = 0;
    this.timer = null;
    this.running = null;
    this.stopped = false;
    this.state = {
      online: navigator.onLine, pending: 0, rejected: 0, syncing: false,
      lastSync: null, loginNeeded: false, serverSync: null,
    };
    this.onOnline = () => { this.failures = 0; this.setState({ online: true }); this.kick(); };
    this.onOffline = () => this.setState({ online: false });
    this.onVisible = () => { if (document.visibilityState === "visible") this.kick(); };
  }

  async start() {
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    document.addEventListener("visibilitychange", this.onVisible);
    this.state.lastSync = await this.db.getMeta("lastSync");
    await this.refreshCounts();
    this.kick();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    document.removeEventListener("visibilitychange", this.onVisible);
    clearTimeout(this.timer);
  }

  setState(patch) {
    Object.assign(this.state, patch);
    this.dispatchEvent(new CustomEvent("status", { detail: { ...this.state } }));
  }

  changed() {
    this.dispatchEvent(new CustomEvent("data"));
  }

  async refreshCounts() {
    const entries = await this.db.outbox();
    // Records, not writes: a case opened and escalated offline is one record waiting.
    const waiting = new Set(entries.filter((e) => e.state === "pending").map((e) => `${e.ref.store}:${e.ref.id}`));
    this.setState({
      pending: waiting.size,
      rejected: entries.filter((e) => e.state === "rejected").length,
    });
  }

  // "visits:<id>" for every record with a write still waiting.
  async pendingRefs() {
    const entries = await this.db.outbox();
    return new Set(entries.filter((e) => e.state === "pending").map((e) => `${e.ref.store}:${e.ref.id}`));
  }

  // Queue one write. `id` is the record's (or event's) client UUID; `data` is the body of the
  // single route. Resolves once it is safely on the phone.
  async enqueue(type, data, id = data.id || uuid()) {
    let entry = { id, type, at: isoNow(), data, ref: refOf(type, data), state: "pending", attempts: 0, error: null };
    if (type === "household.update") {
      // Two edits before a sync: send them as one, on the version the first was based on
      // (the second would otherwise conflict with the first).
      const earlier = (await this.db.outbox()).find((e) => e.state === "pending" && e.type === type &&
        e.data.household_id === data.household_id);
      if (earlier) entry = { ...earlier, at: entry.at, data: { ...earlier.data, ...data, version: earlier.data.version } };
    }
    await this.db.put("outbox", entry);
    await this.applyLocal(entry);
    await this.refreshCounts();
    this.changed();
    this.kick();
    return entry;
  }

  async discard(id) {
    await this.db.outboxDeleteById(id);
    await this.refreshCounts();
    this.changed();
  }

  loggedIn() {
    this.setState({ loginNeeded: false });
    this.failures = 0;
    this.kick();
  }

  kick(delay = 0) {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  // One round: send, then fetch. Never two at once.
  run() {
    if (this.running) {
      this.again = true; // a write arrived mid-round: go again right after
      return this.running;
    }
    this.running = this.round().finally(() => {
      this.running = null;
      if (this.again && !this.state.loginNeeded) {
        this.again = false;
        this.kick();
      }
    });
    return this.running;
  }

  async round() {
    if (this.stopped) return;
    if (!navigator.onLine) {
      this.setState({ online: false });
      return;
    }
    this.setState({ online: true, syncing: true });
    let error = null;
    try {
      await this.flush();
    } catch (e) {
      error = e;
    }
    const loginNeeded = error instanceof ApiError && error.status === 401;
    if (!loginNeeded) {
      try {
        await this.pull();
        const now = isoNow();
        await this.db.setMeta("lastSync", now);
        this.state.lastSync = now;
      } catch (e) {
        error = error || e;
      }
    }
    await this.refreshCounts();
    const stillLoggedOut = error instanceof ApiError && error.status === 401;
    this.setState({ syncing: false, loginNeeded: stillLoggedOut });
    if (!error) {
      this.failures = 0;
      this.kick(this.state.pending ? BASE_DELAY : PERIOD);
      return;
    }
    this.failures += 1;
    const delay = Math.min(MAX_DELAY, BASE_DELAY * 2 ** (this.failures - 1)) * (0.75 + Math.random() / 2);
    if (!stillLoggedOut) this.kick(delay);
  }

  async flush() {
    for (;;) {
      const entries = (await this.db.outbox()).filter((e) => e.state === "pending").slice(0, BATCH);
      if (!entries.length) return;
      const body = { mutations: entries.map((e) => ({ id: e.id, type: e.type, at: e.at, data: e.data })) };
      const res = await request("POST", "/api/sync", body);
      this.setState({ serverSync: true });
      const results = (res.data && res.data.results) || [];
      let answered = 0;
      for (const [i, entry] of entries.entries()) {
        const r = results[i] && results[i].id === entry.id ? results[i] : results.find((x) => x.id === entry.id);
        if (r && (await this.applyResult(entry, r))) answered += 1;
      }
      await this.refreshCounts();
      this.changed();
      if (answered === 0) throw new Error("sync answered none of the batch");
    }
  }

  // True when the server has taken responsibility for the entry (it leaves the queue).
  async applyResult(entry, r) {
    if (r.status === "applied" || r.status === "duplicate") {
      await this.db.outboxDeleteById(entry.id);
      if (r.record) await this.storeRecord(entry, r.record);
      return true;
    }
    if (r.status === "conflict" && entry.type === "household.update") {
      const theirs = r.record || (r.error && r.error.current) || null;
      await this.db.put("conflicts", {
        id: entry.id, household_id: entry.data.household_id, mine: entry.data, theirs,
        message: r.error && r.error.message, at: isoNow(),
      });
      if (theirs) await this.db.put("households", { ...((await this.db.get("households", theirs.id)) || {}), ...theirs });
      await this.db.outboxDeleteById(entry.id);
      return true;
    }
    if (r.status === "conflict" || r.status === "rejected") {
      await this.db.put("outbox", { ...entry, state: "rejected", error: r.error || null });
      return true;
    }
    return false;
  }

  async storeRecord(entry, record) {
    const store = entry.ref.store;
    if (!store || !record || record.id === undefined) return;
    if (store === "cases" && entry.type === "case.action" && !("status" in record)) return; // an event, not the case
    const old = (await this.db.get(store, record.id)) || {};
    await this.db.put(store, { ...old, ...record });
  }

  async pull() {
    let cursor = await this.db.getMeta("cursor");
    let first = true;
    for (;;) {
      let page;
      try {
        page = await api.get(`/api/sync${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`);
      } catch (e) {
        if (e instanceof ApiError && (e.status === 404 || e.status === 405) && first) return this.pullLists();
        throw e;
      }
      if (first && !cursor) await this.db.clear(...DATA_STORES); // a full snapshot replaces the copy
      first = false;
      await this.applyChanges(page.changes || []);
      cursor = page.cursor;
      await this.db.setMeta("cursor", cursor);
      if (!page.more) break;
    }
    await this.reapplyOutbox();
    this.changed();
  }

  // For a server without GET /api/sync: refresh from the plain lists (a full replace, so a
  // household reassigned away disappears here too).
  async pullLists() {
    const households = await api.all("/api/households");
    await this.db.write(["households"], (s) => {
      s.households.clear();
      for (const h of households) s.households.put(h);
    });
    const keep = new Set(households.map((h) => h.id));
    for (const store of ["visits", "cases"]) {
      for (const row of await this.db.all(store)) if (!keep.has(row.household_id)) await this.db.delete(store, row.id);
    }
    try {
      const tasks = await api.all("/api/tasks");
      await this.db.write(["tasks"], (s) => { s.tasks.clear(); for (const x of tasks) s.tasks.put(x); });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
    await this.reapplyOutbox();
    this.changed();
  }

  async applyChanges(changes) {
    for (const c of changes) {
      const store = STORE_OF[c.type];
      if (!store) continue;
      if (c.op === "remove") {
        // The feed names ids as strings; households and notifications are keyed by number here.
        const key = /^\d+$/.test(String(c.id)) ? Number(c.id) : c.id;
        await this.db.delete(store, key);
        if (key !== c.id) await this.db.delete(store, c.id);
        if (store === "households") {
          for (const s of ["visits", "cases"]) {
            for (const row of await this.db.byIndex(s, "household_id", key)) await this.db.delete(s, row.id);
          }
        }
      } else if (c.record) {
        const old = (await this.db.get(store, c.record.id ?? c.id)) || {};
        await this.db.put(store, { ...old, ...c.record, id: c.record.id ?? c.id });
      }
    }
  }

  // Re-apply what is still waiting on top of fresh server data (idempotent).
  async reapplyOutbox() {
    for (const entry of await this.db.outbox()) if (entry.state === "pending") await this.applyLocal(entry);
  }

  actor() {
    return { id: this.user.id, name: this.user.name, role: this.user.role };
  }

  async applyLocal(entry) {
    const { db } = this;
    const d = entry.data;
    switch (entry.type) {
      case "visit.create": {
        const existing = await db.get("visits", d.id);
        await db.put("visits", { ...existing, ...d, author: existing?.author || { id: this.user.id, name: this.user.name } });
        const h = await db.get("households", d.household_id);
        if (h && (!h.last_visit || h.last_visit.visited_at < d.visited_at)) {
          h.last_visit = { id: d.id, visited_at: d.visited_at, mode: d.mode, hardship: d.hardship };
          await db.put("households", h);
        }
        break;
      }
      case "case.create": {
        if (await db.get("cases", d.id)) break;
        await db.put("cases", {
          ...d, status: "open", level: LEVEL_OF_ROLE[this.user.role] || "member", holder: this.actor(),
          created_at: entry.at, events: [{ id: d.id, type: "created", actor: this.actor(), at: entry.at, data: {} }],
        });
        break;
      }
      case "case.action": {
        const c = await db.get("cases", d.case_id);
        if (!c) break;
        c.events = c.events || [];
        if (!c.events.some((ev) => ev.id === entry.id)) {
          const { id, at, case_id: _c, action, ...fields } = d;
          c.events.push({ id, type: action, actor: this.actor(), at, data: fields, pending: true });
          await db.put("cases", c);
        }
        break;
      }
      case "task.create": {
        if (!(await db.get("tasks", d.id))) await db.put("tasks", { ...d, status: "assigned" });
        break;
      }
      case "task.action": {
        const task = await db.get("tasks", d.task_id);
        if (task) await db.put("tasks", { ...task, status: d.action === "accept" ? "accepted" : "done" });
        break;
      }
      case "household.update": {
        const h = await db.get("households", d.household_id);
        if (h) {
          const { household_id: _h, version: _v, ...changes } = d;
          await db.put("households", { ...h, ...changes });
        }
        break;
      }
      default:
    }
  }
}
