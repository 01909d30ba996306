// An in-memory stand-in for pwa/js/db.js's Db (same methods, same semantics), so the write path,
// sending and pulling run in Node without IndexedDB.
const INDEXED = { visits: "household_id", cases: "household_id", photos: "visit_id" };

export class FakeDb {
  constructor() {
    this.stores = {};
    this.seq = 0;
  }

  map(store) {
    return (this.stores[store] = this.stores[store] || new Map());
  }

  async get(store, key) {
    return structuredClone(this.map(store).get(key));
  }

  async all(store) {
    return [...this.map(store).values()].map((v) => structuredClone(v));
  }

  async byIndex(store, index, value) {
    if (INDEXED[store] !== index) throw new Error(`no index ${store}.${index}`);
    return (await this.all(store)).filter((row) => row[index] === value);
  }

  async put(store, value) {
    if (store === "outbox") {
      const seq = value.seq ?? ++this.seq;
      this.map(store).set(seq, structuredClone({ ...value, seq }));
      return;
    }
    this.map(store).set(store === "meta" ? value.key : value.id, structuredClone(value));
  }

  async delete(store, key) {
    this.map(store).delete(key);
  }

  async clear(...stores) {
    for (const s of stores) this.map(s).clear();
  }

  async update(store, keys, fn) {
    const outbox = await this.outbox();
    for (const key of keys) {
      const next = fn(key, await this.get(store, key), outbox);
      if (next === null) this.map(store).delete(key);
      else if (next !== undefined) this.map(store).set(next.id, structuredClone(next));
    }
  }

  async getMeta(key, fallback = null) {
    const row = this.map("meta").get(key);
    return row ? row.value : fallback;
  }

  async setMeta(key, value) {
    this.map("meta").set(key, { key, value });
  }

  async outbox() {
    return [...this.map("outbox").entries()].sort(([a], [b]) => a - b).map(([, v]) => structuredClone(v));
  }

  async outboxDeleteById(id) {
    for (const [seq, e] of this.map("outbox")) if (e.id === id) this.map("outbox").delete(seq);
  }
}

// A user as /api/me describes them; `can` and `case_level` are their capabilities.
export function userWith(can = [], caseLevel = null, extra = {}) {
  return { id: 7, name: "石水奇", role: "member", ...extra, capabilities: { can, case_level: caseLevel } };
}

export const MEMBER = userWith(["households.view", "visits.record", "cases.open", "cases.report_up"], "member");
