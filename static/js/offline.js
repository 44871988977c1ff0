// Test day without a network. The school's test-day pages are kept by the service worker
// (static/js/sw.js); what is recorded while the network is down — attendance marks,
// hand-overs, incidents — waits in IndexedDB (through the vendored idb library), each record
// with an id made here (a UUID), and is sent in order when the network is back
// (logistics/views/offline.py applies each id at most once). The page shows what is not yet
// sent ("未同步 N 条") and, after a sync, what was sent, refused (with the server's reason)
// and what still waits. Signing out clears the device's copy. No inline script (CSP).
(function () {
  "use strict";

  var body = document.body;
  var user = body.getAttribute("data-user") || "";
  var bar = document.getElementById("offline-bar");
  var LOGIN = "/accounts/login/";
  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = window.idb.openDB("jiance-offline", 1, {
        upgrade: function (d) {
          d.createObjectStore("queue", {keyPath: "seq", autoIncrement: true});  // in the order made
          d.createObjectStore("results", {keyPath: "id"});  // what the server answered
          d.createObjectStore("answers", {keyPath: "key"});  // questionnaire answers (questionnaires.js)
        },
      });
    }
    return dbPromise;
  }

  function device() {
    var id = localStorage.getItem("jiance-device");
    if (!id) {
      id = crypto.randomUUID();
      localStorage.setItem("jiance-device", id);
    }
    return id;
  }

  function t(name, n) {
    var text = (bar && bar.getAttribute("data-t-" + name)) || "";
    return text.replace("%(n)s", n);
  }

  function pending() {
    return db().then(function (d) { return d.getAll("queue"); }).then(function (rows) {
      return rows.filter(function (r) { return r.user === user; });
    });
  }

  function enqueue(record) {
    record.id = crypto.randomUUID();
    record.user = user;
    record.made = Date.now();
    return db().then(function (d) { return d.add("queue", record); }).then(render);
  }

  function removeWhere(test) {
    return db().then(function (d) {
      var tx = d.transaction("queue", "readwrite");
      return tx.store.getAll().then(function (rows) {
        rows.filter(test).forEach(function (r) { tx.store.delete(r.seq); });
        return tx.done;
      });
    });
  }

  // --- what the page shows -----------------------------------------------------------------

  function markAttendance(form, status) {
    form.querySelectorAll("button[name=status]").forEach(function (button) {
      var chosen = button.value === status;
      button.classList.toggle("btn-primary", chosen);
      button.classList.toggle("btn-outline-secondary", !chosen);
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
    });
    var row = form.closest("li");
    if (row && !row.querySelector(".offline-pending")) {
      var badge = document.createElement("span");
      badge.className = "badge text-bg-warning offline-pending";
      badge.textContent = t("pending-mark");
      row.querySelector(".monitoring-id").after(badge);
    }
  }

  function item(text, kind, reason) {
    var li = document.createElement("li");
    li.className = "list-group-item offline-" + kind;
    li.textContent = text;
    if (reason) {
      var why = document.createElement("div");
      why.className = "text-danger";
      why.textContent = reason;
      li.appendChild(why);
    }
    return li;
  }

  function render() {
    if (!bar) { return Promise.resolve(); }
    return Promise.all([pending(), db().then(function (d) { return d.getAll("results"); })]).then(function (all) {
      var rows = all[0];
      var results = all[1].filter(function (r) { return r.user === user; }).sort(function (a, b) { return b.at - a.at; }).slice(0, 30);
      bar.hidden = false;
      document.getElementById("offline-count").textContent = t("count", rows.length);
      document.getElementById("offline-count").classList.toggle("text-danger", rows.length > 0);
      var state = document.getElementById("offline-state");
      if (!navigator.onLine) {
        state.textContent = t("offline");
        state.className = "badge text-bg-secondary";
      } else if (bar.getAttribute("data-signin") === "1") {
        state.textContent = t("signin");
        state.className = "badge text-bg-danger";
      } else {
        state.textContent = t("online");
        state.className = "badge text-bg-success";
      }
      document.getElementById("offline-signin").hidden = bar.getAttribute("data-signin") !== "1";
      var list = document.getElementById("offline-list");
      list.replaceChildren();
      rows.forEach(function (r) { list.appendChild(item(t("waiting") + " · " + r.label, "waiting")); });
      results.forEach(function (r) {
        var word = r.outcome === "refused" ? t("refused") : t("sent");
        list.appendChild(item(word + " · " + r.label, r.outcome, r.reason));
      });
      rows.forEach(function (r) {
        if (r.kind !== "attendance") { return; }
        var form = document.querySelector("form[data-offline-kind=attendance][data-session='" + r.data.session + "'][data-student='" + r.data.student + "']");
        if (form) { markAttendance(form, r.data.status); }
      });
      document.documentElement.setAttribute("data-offline-queue", String(rows.length));
      localStorage.setItem("jiance-queue-" + user, String(rows.length));
    });
  }

  // --- sending -----------------------------------------------------------------------------

  var token = null;

  function csrfToken() {
    if (token) { return token; }
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  // A page kept from before signing in again carries a token that no longer counts: fetch one.
  function freshToken() {
    return fetch(bar.getAttribute("data-token-url"), {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      if (!response.ok || new URL(response.url).pathname === LOGIN) { return false; }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        try {
          token = JSON.parse(page.body.getAttribute("hx-headers"))["X-CSRFToken"];
          return true;
        } catch (e) { return false; }
      });
    }).catch(function () { return false; });
  }

  function post(url, rows, retried) {
    var payload = {device: device(), queued: rows.length, records: rows.map(function (r) { return {id: r.id, kind: r.kind, data: r.data}; })};
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(payload),
    }).then(function (response) {
      if (new URL(response.url).pathname === LOGIN) { return "signin"; }  // the session expired
      if (response.status === 403 && !retried) {
        return freshToken().then(function (ok) { return ok ? post(url, rows, true) : "signin"; });
      }
      if (response.status === 403) { return "signin"; }
      return response.ok ? response.json() : null;
    }).catch(function () { return null; });  // no network after all: everything waits
  }

  function keepAnswers(rows, answer) {
    var byId = {};
    rows.forEach(function (r) { byId[r.id] = r; });
    return db().then(function (d) {
      var tx = d.transaction(["queue", "results"], "readwrite");
      answer.results.forEach(function (result) {
        var row = byId[result.id];
        if (!row) { return; }
        tx.objectStore("queue").delete(row.seq);
        tx.objectStore("results").put({id: row.id, user: user, label: row.label, outcome: result.outcome, reason: result.reason, at: Date.now()});
      });
      return tx.done.then(function () {
        return answer.results.filter(function (result) { return byId[result.id] && result.outcome === "applied"; }).length;
      });
    });
  }

  var syncing = false;

  function sync() {
    if (syncing || !navigator.onLine || !bar) { return Promise.resolve(); }
    syncing = true;
    var applied = 0;
    return pending().then(function (rows) {
      var groups = [];
      var byUrl = {};
      rows.forEach(function (r) {
        if (!byUrl[r.syncUrl]) { byUrl[r.syncUrl] = []; groups.push(r.syncUrl); }
        byUrl[r.syncUrl].push(r);
      });
      if (!groups.length) { groups.push(bar.getAttribute("data-sync-url")); byUrl[groups[0]] = []; }  // report: nothing held
      return groups.reduce(function (chain, url) {
        return chain.then(function (go) {
          if (!go) { return false; }
          return post(url, byUrl[url]).then(function (answer) {
            if (answer === "signin") { bar.setAttribute("data-signin", "1"); return false; }
            if (!answer) { return false; }
            bar.removeAttribute("data-signin");
            return keepAnswers(byUrl[url], answer).then(function (n) { applied += n; return true; });
          });
        });
      }, Promise.resolve(true));
    }).finally(function () {
      syncing = false;
      // A page listing what was just applied (the custody chain) fetches its list again.
      if (applied) { document.body.dispatchEvent(new CustomEvent("offline-synced")); }
      return render();
    });
  }

  // --- recording offline -------------------------------------------------------------------

  var lastStatus = new WeakMap();

  function queueAttendance(form, status) {
    var session = form.getAttribute("data-session");
    var student = form.getAttribute("data-student");
    var label = form.getAttribute("data-label") + " · " + (form.querySelector("button[value='" + status + "']") || {}).textContent;
    markAttendance(form, status);
    // Only the last mark of a student in a session matters: an earlier unsent one is replaced.
    return removeWhere(function (r) {
      return r.user === user && r.kind === "attendance" && String(r.data.session) === session && String(r.data.student) === student;
    }).then(function () {
      return enqueue({kind: "attendance", syncUrl: bar.getAttribute("data-sync-url"), label: label, data: {session: session, student: student, status: status}});
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("form[data-offline-kind=attendance] button[name=status]");
    if (!button || !bar) { return; }
    lastStatus.set(button.form, button.value);
    if (!navigator.onLine) {
      event.preventDefault();
      event.stopPropagation();
      queueAttendance(button.form, button.value);
    }
  }, true);

  // Online on paper but the request did not get through: kept the same way.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-offline-kind=attendance]");
    if (form && lastStatus.get(form)) { queueAttendance(form, lastStatus.get(form)); }
  });

  function fileAsDataUrl(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  function optionText(form, name) {
    var select = form.querySelector("select[name=" + name + "]");
    return select && select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : "";
  }

  function formRecord(form) {
    var data = {};
    var file = null;
    new FormData(form).forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken") { return; }
      if (value instanceof File) { if (value.size) { file = value; } return; }
      data[key] = value;
    });
    var kind = form.getAttribute("data-offline-kind");
    var label;
    var ready;
    if (kind === "handover") {
      var pkg = form.getAttribute("data-package");
      data.package = pkg;
      label = form.getAttribute("data-label") + " · " + optionText(form, "kind") + " · " + (data.giver || "") + " → " + (data.taker || "");
      // After a hand-over of the same package still waiting here, this one follows that one.
      ready = pending().then(function (rows) {
        var before = rows.filter(function (r) { return r.kind === "handover" && String(r.data.package) === pkg; }).pop();
        data.after = before ? "client:" + before.id : form.getAttribute("data-after");
      });
    } else {
      label = form.getAttribute("data-label") + " · " + optionText(form, "kind") + " · " + (data.at || "").replace("T", " ");
      ready = file ? fileAsDataUrl(file).then(function (url) { data.photo = url; data.photo_name = file.name; }) : Promise.resolve();
    }
    return ready.then(function () {
      return {kind: kind, syncUrl: bar.getAttribute("data-sync-url"), label: label, data: data};
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!bar || !form.matches("form[data-offline-kind=handover], form[data-offline-kind=incident]") || navigator.onLine) { return; }
    event.preventDefault();
    formRecord(form).then(enqueue).then(function () {
      window.location.href = form.getAttribute("data-back");
    });
  });

  // --- keeping the pages, signing out -------------------------------------------------------

  function keepPages() {
    var sw = body.getAttribute("data-sw");
    if (!bar || !sw || !("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(sw, {scope: "/"}).then(function () { return navigator.serviceWorker.ready; }).then(function (registration) {
      var pages = JSON.parse(document.getElementById("offline-pages").textContent);
      // The same pages kept less than ten minutes ago: the pages visited since are kept fresh
      // by the worker itself, so the school's pages are not fetched again on every visit.
      var key = "jiance-kept:" + user + ":" + pages.join(" ");
      if (Date.now() - Number(localStorage.getItem(key) || 0) < 600000) {
        document.documentElement.setAttribute("data-offline-ready", "1");
        return;
      }
      var assets = performance.getEntriesByType("resource").map(function (e) { return e.name; })
        .filter(function (url) { return new URL(url).pathname.indexOf("/static/") === 0; });
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "kept") {
          localStorage.setItem(key, String(Date.now()));
          document.documentElement.setAttribute("data-offline-ready", "1");
        }
      });
      registration.active.postMessage({type: "keep", pages: pages, assets: assets});
    });
  }

  // Signing out: the server's answer carries Clear-Site-Data ("cache", "storage"), so the
  // browser itself drops the kept pages, this database and the service worker. Records not
  // yet sent would go with them: ask first (synchronously, so the form is not held up).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[action$='/logout/']")) { return; }
    var waiting = Number(localStorage.getItem("jiance-queue-" + user) || 0);
    var question = (body.getAttribute("data-offline-logout") || "").replace("%(n)s", waiting);
    if (waiting && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  if (bar) {
    var now = new Date();
    if (!navigator.onLine) {  // a kept page's form shows the time it was kept: use now
      var local = new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
      document.querySelectorAll("form[data-offline-kind] input[name=at]").forEach(function (input) { input.value = local; });
    }
    document.getElementById("offline-sync-now").addEventListener("click", sync);
    window.addEventListener("online", sync);
    window.addEventListener("offline", render);
    render().then(sync);
    keepPages();
    setInterval(sync, 60000);
  }
  window.jianceOffline = {db: db};
})();
