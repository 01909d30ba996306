/* 包联 service worker: the app shell offline, updates on the user's word, and push. */
/* global PRECACHE_VERSION, PRECACHE_FILES, BAOLIAN_PUSH_TEXT */
// The generated list also carries the catalogue's push.title.* and push.body.* texts.
importScripts("/precache-manifest.js");

const PREFIX = "baolian-shell-";
const CACHE = PREFIX + PRECACHE_VERSION;
const HASH_HEADER = "X-Precache-Hash";
const T = (key) => BAOLIAN_PUSH_TEXT[key] || BAOLIAN_PUSH_TEXT["push.title.default"];

async function sha16(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

// A file whose hash has not changed is copied from the old cache instead of downloaded again.
async function fromOldCache(url, hash) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const hit = await (await caches.open(name)).match(url);
    if (hit && hit.headers.get(HASH_HEADER) === hash) return hit;
  }
  return null;
}

// One shell file, checked to be exactly the version the manifest names. The page has just
// loaded most of them: the browser's HTTP cache answers for those (no second download), and only
// what is missing there, or is another version, comes from the network. The page itself was
// loaded as "/", the same file as "/index.html".
const LOADED_AS = { "/index.html": "/" };

async function download(url, hash) {
  for (const mode of ["force-cache", "reload"]) {
    const from = mode === "force-cache" ? LOADED_AS[url] || url : url;
    const res = await fetch(new Request(from, { cache: mode, credentials: "same-origin" }));
    const body = res.ok ? await res.arrayBuffer() : null;
    if (body && (await sha16(body)) === hash) {
      const headers = new Headers(res.headers);
      headers.delete("Content-Encoding"); // the body kept is the decoded one
      headers.delete("Content-Length");
      headers.set(HASH_HEADER, hash);
      return new Response(body, { status: 200, headers });
    }
    if (mode === "reload") {
      throw new Error(`precache ${url}: ` + (res.ok ? "content does not match its hash" : `HTTP ${res.status}`));
    }
  }
}

async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(PRECACHE_FILES.map(async ([url, hash]) => {
    const have = await cache.match(url);
    if (have && have.headers.get(HASH_HEADER) === hash) return;
    await cache.put(url, (await fromOldCache(url, hash)) || (await download(url, hash)));
  }));
}

async function tellClients(message) {
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) client.postMessage(message);
}

// A caught error goes to the page's on-device log (the worker has no storage for it).
function logError(where, err) {
  return tellClients({ type: "error", where, message: String((err && err.message) || err) });
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    await precache();
    if (!self.registration.active) {
      await self.skipWaiting(); // the very first install: take over at once
    } else {
      await tellClients({ type: "update-ready" }); // wait for the user's word
    }
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if ((event.data || {}).type === "SKIP_WAITING") self.skipWaiting();
});

// The shell from the cache; the API always from the network (the page keeps its own data).
self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/") || url.pathname === "/healthz") return;
  if (req.mode === "navigate") {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      return (await cache.match("/index.html")) || fetch(req);
    })());
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    return (await cache.match(url.pathname)) || fetch(req);
  })());
});

// ---- push -----------------------------------------------------------------------------------

function targetUrl(kind, id) {
  if (kind === "task" && id) return `/#/tasks/${encodeURIComponent(id)}`;
  if (kind === "case" && id) return `/#/cases/${encodeURIComponent(id)}`;
  return "/#/inbox";
}

// The server's payload is small ({type, id, title, body, kind}); anything missing gets a
// Chinese default.
function notificationFor(payload) {
  const kind = payload.type || "default";
  const id = payload.id || null;
  const known = kind === "task" || kind === "case" ? kind : "default";
  return {
    title: payload.title || T(`push.title.${known}`),
    options: {
      body: payload.body || T(`push.body.${known}`),
      icon: "/icons/icon-192.png",
      badge: "/icons/maskable-192.png",
      lang: "zh-CN",
      dir: "ltr",
      tag: id ? `${kind}-${id}` : "baolian",
      renotify: Boolean(id),
      data: { url: targetUrl(kind, id), kind, id },
    },
  };
}
self.notificationFor = notificationFor;

self.addEventListener("push", (event) => {
  let payload = {};
  const logged = [];
  if (event.data) {
    try {
      payload = event.data.json() || {};
    } catch (e) {
      logged.push(logError("push", e)); // an empty or foreign push: shown with the defaults
    }
  }
  const n = notificationFor(payload);
  event.waitUntil(Promise.all([
    self.registration.showNotification(n.title, n.options),
    tellClients({ type: "push" }),
    ...logged,
  ]));
});

// Focus an open window and take it to the task; open one if there is none.
async function openFromNotification(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).origin !== self.location.origin) continue;
    client.postMessage({ type: "navigate", url });
    if ("focus" in client) {
      try {
        await client.focus();
      } catch (e) {
        await logError("focus", e); // not allowed outside a click: the page still navigates
      }
    }
    return client;
  }
  return self.clients.openWindow(url);
}
self.openFromNotification = openFromNotification;

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/#/inbox";
  event.waitUntil(openFromNotification(url));
});
