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

  function option(chart) {
    var series = chart.series.map(function (s) {
      var item = {
        name: s.name,
        type: s.kind === "line" ? "line" : "bar",
        data: s.data,
        label: {
          show: s.kind !== "line" && !s.stack,
          position: "top",
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
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      // room on the left for the first turned name; the legend sits below the names
      grid: { left: many ? 48 : 16, right: 24, top: 24, bottom: 36, containLabel: true },
      xAxis: {
        show: !empty,
        type: "category",
        data: chart.categories,
        // every street's name, turned when there are many (never skipped)
        axisLabel: { interval: 0, rotate: many ? 45 : 0, hideOverlap: false },
      },
      yAxis: { show: !empty, type: "value", minInterval: 1 },
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
