// Booth traffic by hour as a bar chart; the same numbers stand in the table beside it.
(function () {
  "use strict";
  var box = document.getElementById("traffic-chart");
  if (!box || typeof echarts === "undefined") return;
  var labels = JSON.parse(box.dataset.labels);
  var counts = JSON.parse(box.dataset.counts);
  var chart = echarts.init(box);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 60 },
    xAxis: { type: "category", data: labels, axisLabel: { rotate: 60, fontSize: 10 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: box.dataset.series, type: "bar", data: counts, itemStyle: { color: "#2f6fb3" } }],
  });
  box.dataset.bars = String(counts.length);
  window.addEventListener("resize", function () { chart.resize(); });
})();
