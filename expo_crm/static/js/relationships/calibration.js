// The calibration chart of a churn model: per tenth of predicted probability, the mean
// predicted probability against the share who really did not come back, with the diagonal of
// perfect calibration. The numbers come from the page (the table beside it shows them too).
(function () {
  "use strict";
  var box = document.getElementById("calibration-chart");
  if (!box || typeof echarts === "undefined") return;
  var bins = JSON.parse(box.dataset.bins || "[]");
  var chart = echarts.init(box);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "item" },
    legend: { top: 0 },
    xAxis: { type: "value", min: 0, max: 1, name: box.dataset.predictedLabel, nameLocation: "middle", nameGap: 28 },
    yAxis: { type: "value", min: 0, max: 1, name: box.dataset.observedLabel },
    series: [
      {
        name: box.dataset.perfectLabel,
        type: "line",
        symbol: "none",
        lineStyle: { type: "dashed", color: "#888" },
        data: [[0, 0], [1, 1]],
      },
      {
        name: box.dataset.observedLabel,
        type: "line",
        symbolSize: function (value) { return Math.max(6, Math.min(24, Math.sqrt(value[2]) * 2)); },
        data: bins.map(function (b) { return [b.predicted, b.observed, b.n]; }),
      },
    ],
  });
  box.dataset.points = String(bins.length);
  window.addEventListener("resize", function () { chart.resize(); });
})();
