// Behaviour of every portal page, kept in a file: the Content-Security-Policy forbids inline
// scripts and event attributes.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // The language switch submits itself when a language is chosen (a button is shown without JS).
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });

  // An irreversible action asks first: a form with data-confirm="…" is sent only once the
  // person agrees to the sentence that says what will happen.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  // The same for a choice that cannot be undone: the chosen option carries data-confirm.
  document.querySelectorAll("option[data-confirm]").forEach(function (option) {
    var form = option.closest("form");
    if (!form || form.dataset.confirmOptions) {
      return;
    }
    form.dataset.confirmOptions = "1";
    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("option[data-confirm]:checked");
      if (chosen && !window.confirm(chosen.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  // A print page's button prints it (the button is hidden on paper).
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  // The number beside 待办 in the header comes after the page, so that no page waits for it.
  var todo = document.getElementById("todo");
  if (todo && window.fetch) {
    fetch(todo.getAttribute("data-count-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        var badge = todo.querySelector(".badge");
        if (data && data.total > 0 && badge) {
          badge.textContent = " " + data.total;
          badge.hidden = false;
        }
      })
      .catch(function () {});
  }

  // The station finder: "Use my location" fills in the position and searches.
  var locate = document.getElementById("locate");
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) {
        return;
      }
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById("id_lat").value = p.coords.latitude.toFixed(6);
        document.getElementById("id_lng").value = p.coords.longitude.toFixed(6);
        document.getElementById("finder").submit();
      });
    });
  }
});
