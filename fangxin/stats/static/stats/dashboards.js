/* Draws each dashboard chart (without animation: the figures are read, not watched) from its json_script block (no inline script: the CSP allows 'self' only).
   A click on a bar, a point or a heat-map cell opens the records behind it, like the links in the table. */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  var RED = "#a4161a", PALETTE = ["#a4161a", "#1f5fa8", "#2e7d32", "#8a5a00", "#6a1b9a", "#00695c"];

  function percent(value) { return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%"; }

  function axisOption(spec) {
    var valueAxis = { type: "value", min: 0 };
    if (spec.percent) { valueAxis.max = 1; valueAxis.axisLabel = { formatter: function (v) { return Math.round(v * 100) + "%"; } }; }
    return {
      animation: false,
      color: PALETTE,
      tooltip: { trigger: spec.kind === "line" ? "axis" : "item", valueFormatter: spec.percent ? percent : undefined },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 8 ? 30 : 0 } },
      yAxis: valueAxis,
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.kind, data: s.data, connectNulls: false, barMaxWidth: 36,
                 lineStyle: s.dashed ? { type: "dashed" } : undefined, symbolSize: 7 };
      })
    };
  }

  function heatmapOption(spec) {
    var max = 0;
    spec.cells.forEach(function (c) { if (c[2] > max) { max = c[2]; } });
    return {
      animation: false,
      tooltip: { formatter: function (p) { return spec.y[p.value[1]] + " · " + spec.x[p.value[0]] + "：" + p.value[2]; } },
      grid: { left: 8, right: 16, top: 8, bottom: 72, containLabel: true },
      xAxis: { type: "category", data: spec.x, splitArea: { show: true }, axisLabel: { interval: 0, rotate: 40 } },
      yAxis: { type: "category", data: spec.y, inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max: Math.max(max, 1), calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: ["#fff5f5", RED] } },
      series: [{ type: "heatmap", data: spec.cells.map(function (c) { return [c[0], c[1], c[2]]; }),
                 label: { show: spec.x.length * spec.y.length <= 160,
                          formatter: function (p) { return p.value[2] ? String(p.value[2]) : ""; } } }]
    };
  }

  function linkFor(spec, params) {
    if (spec.kind === "heatmap") {
      var cell = spec.cells[params.dataIndex];
      return cell ? cell[3] : null;
    }
    var series = spec.series[params.seriesIndex];
    return series && series.links ? series.links[params.dataIndex] : null;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    element.classList.add("is-drawn");
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(spec.kind === "heatmap" ? heatmapOption(spec) : axisOption(spec));
    chart.on("click", function (params) {
      var url = linkFor(spec, params);
      if (url) { window.location.assign(url); }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() { document.querySelectorAll("[data-chart]").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
