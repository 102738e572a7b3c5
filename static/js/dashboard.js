/* The statistics dashboard: draws each chart from the figures the statistics API returns
   (the same figures as the workbooks). Loaded as a file, no inline script (CSP). */
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var board = document.getElementById("dashboard");
  if (!board || typeof echarts === "undefined") {
    return;
  }
  var emptyLabel = board.getAttribute("data-empty") || "";
  var drawn = [];

  // More streets than fit under a card's width: the chart lies on its side, one street per line,
  // and grows in height with the streets (a city of 27 towns stays readable).
  var MANY_STREETS = 12;

  function sideways(chart) {
    return chart.axis === "street" && chart.categories.length > MANY_STREETS;
  }

  function option(chart) {
    var lying = sideways(chart);
    var series = chart.series.map(function (s) {
      var item = {
        name: s.name,
        type: s.kind === "line" ? "line" : "bar",
        data: s.data,
        label: {
          show: s.kind !== "line" && !s.stack,
          position: lying ? "right" : "top",
          formatter: function (p) { return p.value ? String(p.value) : ""; },
        },
      };
      if (s.stack) {
        item.stack = s.stack;
      }
      if (item.type === "bar") {
        item.barMaxWidth = 48; // one street alone is a bar, not a block across the card
      }
      return item;
    });
    var empty = chart.empty || chart.categories.length === 0;
    var many = chart.categories.length > 6;
    // every street's name, turned when there are many (never skipped)
    var names = {
      show: !empty,
      type: "category",
      data: chart.categories,
      axisLabel: { interval: 0, rotate: many && !lying ? 45 : 0, hideOverlap: false },
    };
    var counts = { show: !empty, type: "value", minInterval: 1 };
    if (lying) {
      names.inverse = true; // the first street on top, as in the workbook
    }
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      // room on the left for the first turned name; the legend sits below the names
      grid: { left: many && !lying ? 48 : 16, right: lying ? 40 : 24, top: 24, bottom: 36, containLabel: true },
      xAxis: lying ? counts : names,
      yAxis: lying ? names : counts,
      series: empty ? [] : series,
      title: empty ? { text: emptyLabel, left: "center", top: "middle", textStyle: { fontSize: 14, color: "#888" } } : undefined,
    };
  }

  fetch(board.getAttribute("data-source"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(function (data) {
      data.charts.forEach(function (chart) {
        var element = document.getElementById("chart-" + chart.key);
        if (!element) {
          return;
        }
        if (sideways(chart) && !chart.empty) {
          element.style.height = Math.max(320, 26 * chart.categories.length + 90) + "px";
          element.setAttribute("data-sideways", "true");
        }
        var instance = echarts.init(element, null, { renderer: "canvas" });
        instance.setOption(option(chart));
        element.setAttribute("data-drawn", "true");
        var note = document.getElementById("note-" + chart.key);
        if (note) {
          note.textContent = chart.note || "";
        }
        drawn.push(instance);
      });
      board.setAttribute("data-loaded", "true");
    })
    .catch(function () {
      // the figures could not be read: every card says so instead of staying blank
      var failed = board.getAttribute("data-failed") || "";
      Array.prototype.forEach.call(board.querySelectorAll(".chart"), function (element) {
        if (element.getAttribute("data-drawn") !== "true") {
          element.textContent = failed;
          element.classList.add("chart-failed");
        }
      });
      board.setAttribute("data-loaded", "error");
    });

  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) {
      instance.resize();
    });
  });
});
