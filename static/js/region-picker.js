// The region picker (regions/forms.py): a filter box above each grouped list of divisions.
// Typing keeps the divisions whose name, code, city or district contains the text; the list
// itself is an ordinary <select>, so the form works the same without this script.
"use strict";

(function () {
  function attach(select) {
    if (select.dataset.pickerReady) {
      return;
    }
    select.dataset.pickerReady = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "region-filter";
    box.placeholder = select.getAttribute("data-filter-label") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      select.querySelectorAll("option").forEach(function (option) {
        if (!option.value) {
          return; // the empty choice stays
        }
        var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label : "";
        var text = (option.textContent + " " + group + " " + (option.getAttribute("data-search") || "")).toLowerCase();
        var shown = words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !shown;
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      // One match left: choose it, as a person would expect after typing its name.
      var shownOptions = select.querySelectorAll("option:not([hidden])");
      var real = Array.prototype.filter.call(shownOptions, function (o) { return o.value; });
      if (real.length === 1 && !select.multiple) {
        real[0].selected = true;
      }
    });
  }

  function attachAll() {
    document.querySelectorAll("select[data-region-picker]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attachAll);
  } else {
    attachAll();
  }
})();
