// The checklist saves each answer as soon as it changes (htmx). Nothing typed is lost:
// answers still being typed are sent when the page is hidden or left, and answers that
// could not be sent (no connection) are kept and sent again when the connection is back.
(function () {
  "use strict";

  function dirtyForms() {
    return document.querySelectorAll("form.answer-form[data-dirty]");
  }

  // A refused save (409: someone else changed it; 422: invalid) still shows its message.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form.answer-form");
    if (form) {
      form.setAttribute("data-dirty", "1");
    }
  });

  // The values go with this request: only typing after it makes the form dirty again.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.classList && form.classList.contains("answer-form")) {
      form.removeAttribute("data-dirty");
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (form && form.classList && form.classList.contains("answer-form")) {
      form.setAttribute("data-dirty", "1");
      form.setAttribute("data-unsent", "1");
      var hint = document.getElementById("autosave-hint");
      if (hint) {
        hint.classList.add("text-danger");
        hint.textContent = hint.getAttribute("data-offline") || hint.textContent;
      }
    }
  });

  window.addEventListener("online", function () {
    document.querySelectorAll("form.answer-form[data-unsent]").forEach(function (form) {
      form.removeAttribute("data-unsent");
      window.htmx.trigger(form, "change");
    });
  });

  // Leaving the page: send what is still being typed with a request that outlives the page.
  function flush() {
    dirtyForms().forEach(function (form) {
      form.removeAttribute("data-dirty");
      try {
        fetch(form.action, {method: "POST", body: new FormData(form), keepalive: true, credentials: "same-origin"});
      } catch (e) { /* the page is going away; the history shows what arrived */ }
    });
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flush();
    }
  });
})();

// After an autosave the item's border follows its state (done, open, commented).
document.addEventListener("htmx:afterSwap", function (event) {
  "use strict";
  var status = event.detail.target && event.detail.target.id && event.detail.target.id.indexOf("status-") === 0
    ? document.getElementById(event.detail.target.id) : null;
  if (!status) {
    return;
  }
  var card = status.closest(".checklist-item");
  if (card) {
    var state = status.getAttribute("data-state");
    card.classList.toggle("item-done", state === "done");
    card.classList.toggle("item-open", state === "open");
    card.classList.toggle("item-commented", state === "commented");
  }
});
