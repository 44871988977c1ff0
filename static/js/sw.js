// The service worker of the test-day pages: a short hand-written one rather than Workbox,
// which would add a build step (or ~20 kB of runtime to vendor) for the two rules we need:
//  - static files (/static/…): from the cache, fetched and kept on first use;
//  - pages the app asked to keep (the signed-in user's school's test-day pages, sent by
//    offline.js with a "keep" message): from the network, the copy kept fresh; from the
//    cache when the network is down. No other page is ever stored.
// Records made offline are not the worker's business: offline.js keeps them in IndexedDB.
"use strict";

var PAGES = "jiance-pages-v1";
var STATIC = "jiance-static-v1";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== PAGES && n !== STATIC; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(cacheName, url) {
  return fetch(url, {credentials: "same-origin"}).then(function (response) {
    // A redirect (to the sign-in page) or an error is not the page: keep nothing.
    if (response.ok && !response.redirected) {
      return caches.open(cacheName).then(function (cache) { return cache.put(url, response); });
    }
  }).catch(function () { /* offline: the copy kept before stays */ });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep") {
    var pages = (data.pages || []).map(function (url) { return keep(PAGES, url); });
    var assets = (data.assets || []).map(function (url) {
      return caches.match(url).then(function (hit) { return hit || keep(STATIC, url); });
    });
    event.waitUntil(Promise.all(pages.concat(assets)).then(function () {
      if (event.source) { event.source.postMessage({type: "kept"}); }
    }));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode !== "navigate") { return; }
  event.respondWith(caches.open(PAGES).then(function (cache) {
    return cache.match(url.pathname).then(function (kept) {
      return fetch(request).then(function (response) {
        if (kept && response.ok && !response.redirected) { cache.put(url.pathname, response.clone()); }
        return response;
      }).catch(function (error) {
        if (kept) { return kept; }
        throw error;
      });
    });
  }));
});
