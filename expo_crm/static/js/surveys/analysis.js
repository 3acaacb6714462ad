// The satisfaction analysis charts: the importance–performance chart (items as points, the
// crosshairs at the items' means, the four quadrants named) and the gap of performance to
// expectation per item. Numbers come from the page's JSON, the same as its tables show.
(function () {
  "use strict";
  var source = document.getElementById("analysis-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = { concentrate: "#c0392b", keep_up: "#1b7f3b", low_priority: "#8a8a8a", overkill: "#c28a00" };

  function bounds(values, mean) {
    var low = Math.min.apply(null, values.concat([mean]));
    var high = Math.max.apply(null, values.concat([mean]));
    var pad = Math.max((high - low) * 0.15, 0.1);
    return [Math.floor((low - pad) * 10) / 10, Math.ceil((high + pad) * 10) / 10];
  }

  var ipaBox = document.getElementById("ipa-chart");
  if (ipaBox && data.ipa.length) {
    var x = bounds(data.ipa.map(function (p) { return p.performance; }), data.mean_performance);
    var y = bounds(data.ipa.map(function (p) { return p.importance; }), data.mean_importance);
    var mp = data.mean_performance, mi = data.mean_importance;
    var area = function (code, x0, y0, x1, y1, top) {
      return [
        { name: data.quadrants[code], xAxis: x0, yAxis: y0, itemStyle: { color: colours[code], opacity: 0.07 },
          label: { position: top ? "insideTop" : "insideBottom" } },
        { xAxis: x1, yAxis: y1 },
      ];
    };
    var ipa = echarts.init(ipaBox);
    ipa.setOption({
      animation: false,
      tooltip: {
        formatter: function (item) {
          if (!item.data || !item.data.text) return "";
          return "#" + item.data.number + " " + echarts.format.encodeHTML(item.data.text) + "<br>" +
            item.value[0].toFixed(2) + " / " + item.value[1].toFixed(2);
        },
      },
      grid: { left: 56, right: 24, top: 24, bottom: 48 },
      xAxis: { name: ipaBox.dataset.performanceLabel, nameLocation: "middle", nameGap: 28, min: x[0], max: x[1] },
      yAxis: { name: ipaBox.dataset.importanceLabel, min: y[0], max: y[1] },
      series: [{
        type: "scatter",
        symbolSize: 14,
        data: data.ipa.map(function (p) {
          return { value: [p.performance, p.importance], number: p.number, text: p.text,
                   itemStyle: { color: colours[p.quadrant] } };
        }),
        label: { show: true, position: "right", formatter: function (item) { return "#" + item.data.number; } },
        markLine: {
          silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#555" },
          label: { show: false },
          data: [{ xAxis: mp }, { yAxis: mi }],
        },
        markArea: {
          silent: true,
          label: { show: true, position: "insideTop", color: "#333", fontSize: 12 },
          data: [
            area("concentrate", x[0], mi, mp, y[1], true),
            area("keep_up", mp, mi, x[1], y[1], true),
            area("low_priority", x[0], y[0], mp, mi, false),
            area("overkill", mp, y[0], x[1], mi, false),
          ],
        },
      }],
    });
    ipaBox.dataset.points = String(data.ipa.length);
    window.addEventListener("resize", function () { ipa.resize(); });
  }

  var gapBox = document.getElementById("gap-chart");
  if (gapBox && data.gaps.length) {
    var gap = echarts.init(gapBox);
    var labels = data.gaps.map(function (g) { return "#" + g.number; });
    gap.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 24, top: 36, bottom: 32 },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value" },
      series: [
        { name: gapBox.dataset.expectationLabel, type: "bar", data: data.gaps.map(function (g) { return g.expectation; }), itemStyle: { color: "#9aa7b4" } },
        { name: gapBox.dataset.performanceLabel, type: "bar", data: data.gaps.map(function (g) { return g.performance; }), itemStyle: { color: "#1f5f8b" } },
        { name: gapBox.dataset.gapLabel, type: "line", data: data.gaps.map(function (g) { return g.gap; }), itemStyle: { color: "#c0392b" },
          label: { show: true, formatter: function (item) { return (item.value > 0 ? "+" : "") + item.value.toFixed(2); } } },
      ],
    });
    gapBox.dataset.points = String(data.gaps.length);
    window.addEventListener("resize", function () { gap.resize(); });
  }
})();
