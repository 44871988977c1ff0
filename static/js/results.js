// Results pages: the import form asks for a domain only when the file holds scores.
(function () {
  "use strict";

  function syncDomain() {
    var kind = document.getElementById("id_kind");
    var domain = document.getElementById("div_id_domain");
    if (!kind || !domain) {
      return;
    }
    domain.hidden = kind.value !== "scores";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var kind = document.getElementById("id_kind");
    if (kind) {
      kind.addEventListener("change", syncDomain);
      syncDomain();
    }
  });
})();
