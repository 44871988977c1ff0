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
