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
