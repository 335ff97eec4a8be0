// legwork's service worker: keeps the app shell (every static file) in a
// cache so the app opens without a network. The server fills in VERSION (a
// hash of all files) and FILES, so any change installs a new worker and a
// fresh cache. The API (/api/…) is never cached: health data stays on the
// server, and what is recorded offline waits in IndexedDB (js/outbox.js).
const VERSION = "__VERSION__";
const FILES = ["__FILES__"];
const CACHE = "legwork-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((c) => c.addAll(FILES.map((f) => new Request(f, { cache: "no-cache" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("legwork-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/healthz" || url.pathname === "/metrics") return;
  // The shell: from the cache first (it is versioned), else the network.
  const key = req.mode === "navigate" ? "/" : url.pathname;
  event.respondWith(
    caches.open(CACHE).then((c) => c.match(key)).then((hit) => hit || fetch(req)),
  );
});
