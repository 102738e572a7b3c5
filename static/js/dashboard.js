/* The statistics dashboard: draws each chart from the figures the statistics API returns
   (the same figures as the workbooks). Loaded as a file, no inline script (CSP). */
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var board = document.getElementById("dashboard");
  if (!board || typeof echarts === "undefined") {
    return;
  }
  var targetLabel = board.getAttribute("data-target-label") || "target";
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
      return item;
    });
    if (chart.target !== null && chart.target !== undefined && series.length) {
      series[0].markLine = {
        symbol: "none",
        label: { formatter: targetLabel + " {c}", position: "insideEndTop" },
        data: [{ yAxis: chart.target }],
      };
    }
    var empty = chart.categories.length === 0;
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 24, top: 48, bottom: 64 },
      xAxis: { type: "category", data: chart.categories, axisLabel: { rotate: chart.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1, max: chart.target ? function (v) { return Math.max(v.max, chart.target); } : null },
      series: series,
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
        drawn.push(instance);
      });
      board.setAttribute("data-loaded", "true");
    })
    .catch(function () {
      board.setAttribute("data-loaded", "error");
    });

  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) {
      instance.resize();
    });
  });
});
