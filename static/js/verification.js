// The second entry of a paper form, keyboard-first: Enter moves to the next field shown (the
// last one saves), and the skip logic hides (and leaves out) the questions the paper skips.
(function () {
  "use strict";
  const form = document.getElementById("quick-entry");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll(".entry-field"));
  const split = (text) => text.split(/[;；,，]/).map((v) => v.trim()).filter(Boolean);

  function shown(row) {
    return !row.hidden;
  }

  function applySkips() {
    // In item order, as the server decides: a question shows when its condition's item shows
    // and holds one of the values named.
    const visible = new Set();
    for (const row of rows) {
      const code = row.id.slice("field-".length);
      const source = row.dataset.showIfItem;
      let show = true;
      if (source) {
        const input = form.elements.namedItem(source);
        const wanted = (row.dataset.showIfValues || "").split("|");
        show = visible.has(source) && input && split(input.value).some((v) => wanted.includes(v));
      }
      row.hidden = !show;
      row.querySelector("input").disabled = !show;
      if (show) visible.add(code);
    }
  }

  form.addEventListener("input", applySkips);
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    event.preventDefault();
    applySkips();
    const inputs = rows.filter(shown).map((row) => row.querySelector("input"));
    const next = inputs[inputs.indexOf(event.target) + 1];
    if (next) {
      next.focus();
      next.select();
    } else {
      form.requestSubmit();
    }
  });
  applySkips();
})();
