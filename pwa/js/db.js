// IndexedDB, hand-written: one database per user ("baolian-u<id>"), so logging out deletes
// exactly that user's data and a lapsed session never loses an unsent record.
// Upgrades are versioned: each step runs only on databases older than it (old phones upgrade safely).

export const DB_VERSION = 1;
const PREFIX = "baolian-u";

function upgrade(db, oldVersion, tx) {
  if (oldVersion < 1) {
    db.createObjectStore("meta", { keyPath: "key" });
    db.createObjectStore("households", { keyPath: "id" });
    db.createObjectStore("visits", { keyPath: "id" }).createIndex("household_id", "household_id");
    db.createObjectStore("cases", { keyPath: "id" }).createIndex("household_id", "household_id");
    db.createObjectStore("tasks", { keyPath: "id" });
    db.createObjectStore("notifications", { keyPath: "id" });
    // Every write goes here first; seq keeps the order in which the user made them.
    const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
    outbox.createIndex("id", "id", { unique: true });
    db.createObjectStore("conflicts", { keyPath: "id" });
    db.createObjectStore("photos", { keyPath: "id" }).createIndex("visit_id", "visit_id");
  }
  // if (oldVersion < 2) { ... next change goes here ... }
  void tx;
}

function promisify(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
}

export function dbName(userId) {
  return `${PREFIX}${userId}`;
}

export async function openUserDb(userId) {
  const req = indexedDB.open(dbName(userId), DB_VERSION);
  req.onupgradeneeded = (e) => upgrade(req.result, e.oldVersion, req.transaction);
  const idb = await promisify(req);
  idb.onversionchange = () => idb.close(); // another tab upgrades or deletes: let it
  return new Db(idb);
}

// Resolves once the database is gone (open connections close themselves on "versionchange").
export async function deleteUserDb(userId) {
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(dbName(userId));
    const timer = setTimeout(resolve, 5000); // blocked for good (another tab): it completes later
    req.onsuccess = req.onerror = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

export class Db {
  constructor(idb) {
    this.idb = idb;
  }

  close() {
    this.idb.close();
  }

  async get(store, key) {
    return promisify(this.idb.transaction(store).objectStore(store).get(key));
  }

  async all(store) {
    return promisify(this.idb.transaction(store).objectStore(store).getAll());
  }

  async byIndex(store, index, value) {
    return promisify(this.idb.transaction(store).objectStore(store).index(index).getAll(value));
  }

  // Local-only stores (outbox, conflicts, photos, meta). Server records and the local changes
  // to them are written only through records.js, which calls update().
  async put(store, value) {
    const tx = this.idb.transaction(store, "readwrite");
    tx.objectStore(store).put(value);
    return done(tx);
  }

  async delete(store, key) {
    const tx = this.idb.transaction(store, "readwrite");
    tx.objectStore(store).delete(key);
    return done(tx);
  }

  async clear(...stores) {
    const tx = this.idb.transaction(stores, "readwrite");
    for (const s of stores) tx.objectStore(s).clear();
    return done(tx);
  }

  // In one transaction with the outbox: for each key, next = fn(key, current, outboxEntries);
  // stores next, deletes on null, leaves the record alone on undefined. Atomic, so a write
  // queued meanwhile can never be merged against a stale outbox.
  async update(store, keys, fn) {
    const tx = this.idb.transaction([store, "outbox"], "readwrite");
    const os = tx.objectStore(store);
    const outbox = tx.objectStore("outbox").getAll();
    outbox.onsuccess = () => {
      for (const key of keys) {
        const req = os.get(key);
        req.onsuccess = () => {
          const next = fn(key, req.result, outbox.result);
          if (next === null) os.delete(key);
          else if (next !== undefined) os.put(next);
        };
      }
    };
    return done(tx);
  }

  async getMeta(key, fallback = null) {
    const row = await this.get("meta", key);
    return row ? row.value : fallback;
  }

  async setMeta(key, value) {
    return this.put("meta", { key, value });
  }

  // The outbox in the order the user made the writes.
  async outbox() {
    return this.all("outbox");
  }

  async outboxDeleteById(id) {
    const tx = this.idb.transaction("outbox", "readwrite");
    const index = tx.objectStore("outbox").index("id");
    const req = index.getKey(id);
    req.onsuccess = () => {
      if (req.result !== undefined) tx.objectStore("outbox").delete(req.result);
    };
    return done(tx);
  }
}
