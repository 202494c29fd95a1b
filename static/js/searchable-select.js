/* Searchable selects: every <select data-searchable> (common.forms.SearchableSelect, the
   ~90-entry unit pickers) becomes a vendored Tom Select (static/vendor/tom-select-2.6.2), so
   a user types "甲镇" instead of scrolling. A static file because the CSP allows no inline
   script; without it the select still works as a plain one. */
(function () {
  "use strict";

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function enhance(select) {
    if (select.tomselect || typeof window.TomSelect === "undefined") {
      return;
    }
    var noResults = select.getAttribute("data-no-results") || "—";
    // Tom Select points the <label> at its own search box; the original select, still in the
    // accessibility tree though hidden, keeps the label's words as its name.
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label && !select.hasAttribute("aria-label")) {
      select.setAttribute("aria-label", label.textContent.trim());
    }
    new window.TomSelect(select, {
      allowEmptyOption: true,
      maxOptions: null,
      create: false,
      searchField: ["text"],
      render: {
        no_results: function () {
          return '<div class="no-results">' + escapeText(noResults) + "</div>";
        }
      }
    });
  }

  /* The 全选 box above a list of checkboxes (data-check-all="name of the boxes"). */
  function wireCheckAll(box) {
    var name = box.getAttribute("data-check-all");
    box.addEventListener("change", function () {
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(
        function (item) { item.checked = box.checked; }
      );
    });
  }

  function start() {
    document.querySelectorAll("select[data-searchable]").forEach(enhance);
    document.querySelectorAll("input[data-check-all]").forEach(wireCheckAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
