// The station details form: clicking the district plan sets the latitude and longitude (and
// typing them moves the marker); a button copies Monday's hours to Tuesday–Friday.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var plan = document.getElementById("plan");
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  if (plan && lat && lng) {
    var box = {
      north: parseFloat(plan.dataset.north),
      south: parseFloat(plan.dataset.south),
      east: parseFloat(plan.dataset.east),
      west: parseFloat(plan.dataset.west),
    };
    var size = plan.viewBox.baseVal;
    var marker = document.getElementById("plan-marker");
    var place = function (x, y) {
      marker.setAttribute("transform", "translate(" + x + " " + y + ")");
    };
    plan.addEventListener("click", function (event) {
      var point = plan.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var local = point.matrixTransform(plan.getScreenCTM().inverse());
      lng.value = (box.west + (local.x / size.width) * (box.east - box.west)).toFixed(6);
      lat.value = (box.north - (local.y / size.height) * (box.north - box.south)).toFixed(6);
      place(local.x, local.y);
    });
    var follow = function () {
      var la = parseFloat(lat.value);
      var lo = parseFloat(lng.value);
      if (isNaN(la) || isNaN(lo)) {
        return;
      }
      place(
        ((lo - box.west) / (box.east - box.west)) * size.width,
        ((box.north - la) / (box.north - box.south)) * size.height
      );
    };
    lat.addEventListener("change", follow);
    lng.addEventListener("change", follow);
    follow(); // the values the form came back with (an estimate, a refused save)
  }

  var copy = document.getElementById("copy-monday");
  if (copy) {
    copy.addEventListener("click", function () {
      ["opens", "closes", "opens2", "closes2"].forEach(function (part) {
        var source = document.getElementById("id_mon_" + part);
        ["tue", "wed", "thu", "fri"].forEach(function (day) {
          var target = document.getElementById("id_" + day + "_" + part);
          if (source && target) {
            target.value = source.value;
          }
        });
      });
    });
  }
});
