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
})();
