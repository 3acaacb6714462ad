// The value matrix as a scatter chart: current value × potential value, one colour per class,
// the thresholds drawn as the quadrants' borders. Data from the page's JSON endpoint.
(function () {
  "use strict";
  var box = document.getElementById("value-chart");
  if (!box || typeof echarts === "undefined") return;
  var colours = { value: "#1b7f3b", potential: "#2f6fb3", maintain: "#c28a00", low: "#8a8a8a" };
  fetch(box.dataset.url, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var series = Object.keys(data.classes).map(function (code) {
        return {
          name: data.classes[code],
          type: "scatter",
          itemStyle: { color: colours[code] },
          data: data.points
            .filter(function (p) { return p["class"] === code; })
            .map(function (p) { return { value: [p.current, p.potential], name: p.name }; }),
        };
      });
      series[0].markLine = {
        silent: true,
        symbol: "none",
        lineStyle: { type: "dashed", color: "#555" },
        data: [{ xAxis: data.thresholds.current }, { yAxis: data.thresholds.potential }],
      };
      var chart = echarts.init(box);
      chart.setOption({
        animation: false,
        tooltip: {
          formatter: function (item) {
            return echarts.format.encodeHTML(item.name) + "<br>" + item.value[0] + " / " + item.value[1];
          },
        },
        legend: { top: 0 },
        xAxis: { name: box.dataset.currentLabel, nameLocation: "middle", nameGap: 28, scale: true },
        yAxis: { name: box.dataset.potentialLabel, scale: true },
        series: series,
      });
      box.dataset.points = String(data.points.length);
      window.addEventListener("resize", function () { chart.resize(); });
    });
})();
