// Behaviour shared by every page; no inline script anywhere (the CSP forbids it).
(function () {
  "use strict";

  // A form or button with data-confirm asks before it submits.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // A form with data-busy (a document built while the request waits, under the embedded
  // default) shows that it is working and cannot be sent twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var busy = form.getAttribute("data-busy");
    if (!busy || event.defaultPrevented) {
      return;
    }
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.textContent = " " + busy;
        var spinner = document.createElement("span");
        spinner.className = "spinner-border spinner-border-sm";
        spinner.setAttribute("aria-hidden", "true");
        button.prepend(spinner);
      });
    }, 0);
  });

  // On a phone every table stacks its rows into cards (static/css/app.css, .table-stacked):
  // each cell is labelled with its column's heading. Tables whose heading is not one plain
  // row over the body's columns (grouped headings, matrices) are left as they are.
  function stackTables(root) {
    root.querySelectorAll("table.table:not(.table-keep):not(.table-stacked)").forEach(function (table) {
      var rows = table.tHead ? table.tHead.rows : [];
      if (rows.length !== 1) { return; }
      var labels = Array.prototype.map.call(rows[0].cells, function (th) {
        return th.colSpan === 1 ? th.textContent.trim() : null;
      });
      if (labels.indexOf(null) !== -1) { return; }
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, i) {
            if (cell.colSpan === 1 && labels[i]) { cell.setAttribute("data-label", labels[i]); }
          });
        });
      });
      table.classList.add("table-stacked");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { stackTables(document); });
  document.addEventListener("htmx:load", function (event) {
    var table = event.target.closest("table");  // a swapped row: label its table again
    if (table) { table.classList.remove("table-stacked"); }
    stackTables((table || event.target).parentNode || document);
  });
})();
