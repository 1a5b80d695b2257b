/* Tupa's service worker: the app shell from the cache, pages network-first with the
   cached copy when there is no network, so that today's sessions and their rosters
   open offline. The API and live events always go to the network: marks made offline
   wait in IndexedDB (attendance.js), not here. */
"use strict";

var SHELL_CACHE = "tupa-shell-v1";
var PAGES_CACHE = "tupa-pages-v1";
var SHELL = [
  "/static/css/app.css",
  "/static/js/attendance.js",
  "/static/favicon.svg",
  "/static/icons/tupa.svg",
  "/static/icons/tupa-192.png",
  "/manifest.webmanifest"
];
var OFFLINE_PAGES = /^\/(today|attendance\/\d+)$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  var keep = [SHELL_CACHE, PAGES_CACHE];
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return keep.indexOf(n) < 0; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/logout") {
    // Signing out forgets the pages kept for offline use.
    event.waitUntil(caches.delete(PAGES_CACHE));
    return;
  }
  if (request.method !== "GET") return;
  if (OFFLINE_PAGES.test(url.pathname)) {
    event.respondWith(networkFirst(request));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    event.respondWith(
      caches.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) {
            var copy = response.clone();
            caches.open(SHELL_CACHE).then(function (cache) { cache.put(request, copy); });
          }
          return response;
        });
        return hit || fresh;
      })
    );
  }
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES_CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.match(request, { ignoreVary: true }).then(function (hit) {
        return hit || cache.match(new URL(request.url).pathname, { ignoreVary: true });
      });
    }).then(function (hit) {
      return hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  });
}
