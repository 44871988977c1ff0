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
})();
