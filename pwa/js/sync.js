// The sync loop: when to sync, and what the header's state says about it.
//
// Every write is put in the outbox first (client UUID + device time) and applied to the local
// copy at once, so the phone works the same with or without network. The loop sends the outbox
// through POST /api/sync on app start, on the "online" event, after each new write, and then
// retries with exponential backoff; an entry leaves the outbox only when the server has answered
// for it (applied / duplicate; a conflict or a refusal is kept and shown, never dropped silently).
// Then GET /api/sync?cursor= brings the caller's scope up to date, removals included.
//
// The parts: sync/outbox.js (queueing, counts), sync/effects.js (a write's effect on a record),
// sync/merge.js (the one merge rule), sync/records.js (the one write path into the copy),
// sync/send.js (a batch out, the answers applied), sync/pull.js (the feed in).
import { ApiError } from "./api.js";
import { isoNow, uuid } from "./dom.js";
import { logError } from "./errlog.js";
import { addToOutbox, outboxCounts, pendingRefs } from "./sync/outbox.js";
import { pullChanges } from "./sync/pull.js";
import { removeServer, saveServer, showQueued } from "./sync/records.js";
import { sendOutbox } from "./sync/send.js";

const BASE_DELAY = 5000;
const MAX_DELAY = 5 * 60 * 1000;
const PERIOD = 5 * 60 * 1000;

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
    this.setState(await outboxCounts(this.db));
  }

  // "visits:<id>" for every record with a write still waiting.
  async pendingRefs() {
    return pendingRefs(this.db);
  }

  // Queue one write. `id` is the record's (or event's) client UUID; `data` is the body of the
  // single route. Resolves once it is safely on the phone.
  async enqueue(type, data, id = data.id || uuid()) {
    const entry = await addToOutbox(this.db, type, data, id);
    await showQueued(this.db, this.user, entry);
    await this.refreshCounts();
    this.changed();
    this.kick();
    return entry;
  }

  async discard(id) {
    await this.db.outboxDeleteById(id);
    await this.db.delete("photos", id); // a refused photo goes with its entry (no other entry has one)
    await this.refreshCounts();
    this.changed();
  }

  // Server versions fetched by a screen (a detail, a list) into the copy, merged like the feed's.
  async saveServer(store, records) {
    await saveServer(this.db, this.user, store, records);
  }

  async removeServer(store, id) {
    await removeServer(this.db, this.user, store, id);
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
    // A temporary password: the server answers nothing else until it is changed (session.js
    // kicks the loop again then).
    if (this.user && this.user.must_change_password) return;
    if (!navigator.onLine) {
      this.setState({ online: false });
      return;
    }
    this.setState({ online: true, syncing: true });
    let error = null;
    try {
      await sendOutbox(this.db, this.user, {
        reached: () => this.setState({ serverSync: true }),
        batchDone: async () => { await this.refreshCounts(); this.changed(); },
      });
    } catch (e) {
      error = e;
      logError("sync.send", e);
    }
    const loginNeeded = error instanceof ApiError && error.status === 401;
    if (!loginNeeded) {
      try {
        await pullChanges(this.db, this.user);
        const now = isoNow();
        await this.db.setMeta("lastSync", now);
        this.state.lastSync = now; // before the redraw: an empty list then says 还没有包联户, not 还没有下载数据
        this.changed();
      } catch (e) {
        error = error || e;
        logError("sync.pull", e);
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
}
