// Answering a questionnaire: skip logic, progress, saving while typing. No inline script (CSP).
(function () {
  "use strict";

  function valuesOf(code) {
    var item = document.getElementById("item-" + code);
    if (!item) { return []; }
    var out = [];
    item.querySelectorAll("input[name=value]:checked").forEach(function (el) { out.push(el.value); });
    return out;
  }

  function isShown(el) {
    return el && !el.classList.contains("q-hidden") && !(el.closest(".q-grid") || {classList: {contains: function () { return false; }}}).classList.contains("q-hidden");
  }

  // Items in document order: a condition only ever points at an earlier item.
  function applySkipLogic() {
    document.querySelectorAll("[data-show-if-item]").forEach(function (el) {
      var source = document.getElementById("item-" + el.dataset.showIfItem);
      var wanted = el.dataset.showIfValues.split(",");
      var given = valuesOf(el.dataset.showIfItem);
      var show = isShown(source) && given.some(function (v) { return wanted.indexOf(v) !== -1; });
      el.classList.toggle("q-hidden", !show);
    });
    // A section whose questions are all skipped is not shown as an empty card.
    document.querySelectorAll(".q-section").forEach(function (section) {
      var items = Array.prototype.slice.call(section.querySelectorAll(".q-item"));
      section.classList.toggle("q-hidden", !items.some(isShown));
    });
  }

  function hasAnswer(item) {
    if (item.querySelector("input[name=value]:checked")) { return true; }
    var field = item.querySelector("input[type=text][name=value], textarea[name=value]");
    return !!(field && field.value.trim() !== "");
  }

  function updateProgress() {
    var bar = document.getElementById("q-progress");
    if (!bar) { return; }
    var total = 0, answered = 0;
    document.querySelectorAll(".q-item").forEach(function (item) {
      if (!isShown(item)) { return; }
      total += 1;
      if (hasAnswer(item)) { answered += 1; }
    });
    bar.max = total;
    bar.value = answered;
    var text = document.getElementById("q-progress-text");
    if (text) { text.textContent = text.textContent.replace(/\d+\D+\d+/, answered + " / " + total); }
  }

  function refresh() { applySkipLogic(); updateProgress(); }

  var timers = new WeakMap();

  document.addEventListener("change", function (event) {
    if (event.target.closest(".q-item")) {
      clearTimeout(timers.get(event.target));  // a pending save-while-typing is now redundant
      var item = event.target.closest(".q-item");
      item.classList.remove("q-invalid");
      refresh();
    }
  });

  // Typing saves after a short pause too, so closing the page loses nothing.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches(".q-item input[type=text], .q-item textarea")) { return; }
    clearTimeout(timers.get(field));
    timers.set(field, setTimeout(function () {
      if (window.htmx) { window.htmx.trigger(field.form, "change"); }
    }, 900));
  });

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // Saving forms are for htmx only; Enter in a number field must not reload the page.
  document.addEventListener("submit", function (event) {
    if (event.target.classList.contains("q-save")) {
      event.preventDefault();
      if (window.htmx) { window.htmx.trigger(event.target, "change"); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    refresh();
    var firstError = document.querySelector(".q-invalid");
    if (firstError) { firstError.scrollIntoView({block: "center"}); }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();

// Without a network the respondent goes on answering: an answer that cannot be sent is kept in
// IndexedDB (the last one per question; offline.js opens the database), sent again when the
// network is back, and the questionnaire is submitted only once every answer is in. Answers are
// kept per response, so on a shared computer one respondent's answers never go with another's.
(function () {
  "use strict";

  var answers = document.getElementById("q-answers");
  var note = document.getElementById("q-offline");
  if (!answers || !note || !window.jianceOffline) { return; }
  var respondent = answers.getAttribute("data-respondent");
  var submitWaiting = null;

  function db() { return window.jianceOffline.db(); }

  function keyOf(form) { return respondent + ":" + form.querySelector("input[name=item]").value; }

  function mine() {
    return db().then(function (d) { return d.getAll("answers"); }).then(function (rows) {
      return rows.filter(function (r) { return r.respondent === respondent; });
    });
  }

  function show() {
    return mine().then(function (rows) {
      note.hidden = rows.length === 0 && !submitWaiting;
      note.textContent = note.getAttribute("data-t-count").replace("%(n)s", rows.length) + (submitWaiting ? " " + note.getAttribute("data-t-submit") : "");
      document.documentElement.setAttribute("data-answers-queue", String(rows.length));
      return rows;
    });
  }

  function keep(form) {
    var fields = [];
    new FormData(form).forEach(function (value, key) { fields.push([key, value]); });
    var row = {key: keyOf(form), respondent: respondent, url: form.getAttribute("hx-post"), fields: fields};
    return db().then(function (d) { return d.put("answers", row); }).then(show);
  }

  function token() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  var flushing = false;

  function flush() {
    if (flushing || !navigator.onLine) { return Promise.resolve(); }
    flushing = true;
    return mine().then(function (rows) {
      return rows.reduce(function (chain, row) {
        return chain.then(function (go) {
          if (!go) { return false; }
          return fetch(row.url, {
            method: "POST",
            credentials: "same-origin",
            headers: {"X-CSRFToken": token(), "HX-Request": "true"},
            body: new URLSearchParams(row.fields),
          }).then(function (response) {
            if (response.status >= 500) { return false; }
            return response.text().then(function (html) {
              var code = row.key.slice(respondent.length + 1);
              var status = document.getElementById("status-" + code);
              if (status && html) { status.innerHTML = html; }  // the server's own status fragment
              return db().then(function (d) { return d.delete("answers", row.key); }).then(function () { return true; });
            });
          }).catch(function () { return false; });
        });
      }, Promise.resolve(true));
    }).finally(function () {
      flushing = false;
      return show().then(function (rows) {
        if (!rows.length && submitWaiting) {
          var form = submitWaiting;
          submitWaiting = null;
          form.submit();
        }
      });
    });
  }

  function isSave(elt) { return elt && elt.classList && elt.classList.contains("q-save"); }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isSave(event.detail.elt) && !navigator.onLine) {
      event.preventDefault();
      keep(event.detail.elt);
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (isSave(event.detail.elt)) { keep(event.detail.elt); }
  });
  // Saved online: an older copy still waiting here must not overwrite it later.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (isSave(event.detail.elt) && event.detail.successful) {
      db().then(function (d) { return d.delete("answers", keyOf(event.detail.elt)); }).then(show);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("q-submit")) { return; }
    if (!navigator.onLine || (document.documentElement.getAttribute("data-answers-queue") || "0") !== "0") {
      event.preventDefault();
      event.stopImmediatePropagation();
      submitWaiting = form;
      show().then(flush);
    }
  }, true);

  window.addEventListener("online", flush);
  setInterval(flush, 15000);
  show().then(flush);
})();
