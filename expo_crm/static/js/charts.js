// Draws every chart of the page from its specification (expo_crm/charts.py), in the page's
// language, readable without colour alone (values on the marks, patterns on the areas).
// A live page calls expoCharts.update(figure, spec) with new numbers: the chart and the table
// beside it change together.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var instances = new WeakMap();

  function baseOption(spec) {
    return {
      animation: false,
      aria: { enabled: true, decal: { show: true } },
      tooltip: { trigger: spec.kind === "pie" || spec.kind === "funnel" || spec.kind === "sankey" ? "item" : "axis" },
      grid: { left: 8, right: 24, top: spec.series && spec.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
    };
  }

  function option(spec) {
    var opt = baseOption(spec);
    var label = { show: true, position: spec.kind === "hbar" ? "right" : "top" };
    if (spec.kind === "pie") {
      opt.series = [{
        type: "pie", radius: ["35%", "70%"], label: { formatter: "{b}: {c} ({d}%)" },
        data: spec.categories.map(function (c, i) { return { name: c, value: spec.series[0].values[i] }; }),
      }];
      return opt;
    }
    if (spec.kind === "funnel") {
      opt.series = [{
        type: "funnel", sort: "none", left: "10%", width: "80%", gap: 2,
        label: { show: true, position: "inside", formatter: "{b}: {c}" },
        data: spec.categories.map(function (c, i) { return { name: c, value: spec.series[0].values[i] }; }),
      }];
      return opt;
    }
    if (spec.kind === "sankey") {
      var names = {};
      spec.links.forEach(function (l) { names[l.source] = 1; names[l.target] = 1; });
      opt.series = [{
        type: "sankey", left: 8, right: 120, emphasis: { focus: "adjacency" },
        label: { formatter: "{b}" }, edgeLabel: { show: true, formatter: "{c}" },
        data: Object.keys(names).map(function (n) { return { name: n }; }),
        links: spec.links,
      }];
      return opt;
    }
    var categoryAxis = { type: "category", data: spec.categories, name: spec.category_name,
                         axisLabel: { hideOverlap: true } };
    var valueAxis = { type: "value", name: spec.value_name, minInterval: 1 };
    if (spec.kind === "hbar") {
      categoryAxis.inverse = true;
      opt.xAxis = valueAxis; opt.yAxis = categoryAxis;
    } else {
      opt.xAxis = categoryAxis; opt.yAxis = valueAxis;
    }
    if (spec.series.length > 1) { opt.legend = { top: 0 }; }
    opt.series = spec.series.map(function (s) {
      return {
        name: s.name, type: spec.kind === "line" ? "line" : "bar", data: s.values,
        stack: spec.stacked ? "total" : undefined, label: label,
        symbolSize: 6, showAllSymbol: true,
      };
    });
    return opt;
  }

  function table(figure, spec) {
    var body = figure.querySelector(".chart-numbers tbody");
    if (!body || spec.kind === "sankey") { return; }
    body.textContent = "";
    spec.categories.forEach(function (c, i) {
      var row = document.createElement("tr");
      var head = document.createElement("th");
      head.scope = "row"; head.textContent = c; row.appendChild(head);
      spec.series.forEach(function (s) {
        var cell = document.createElement("td");
        cell.className = "num"; cell.textContent = s.values[i]; row.appendChild(cell);
      });
      body.appendChild(row);
    });
  }

  function draw(figure, spec) {
    var box = figure.querySelector(".echart");
    var empty = figure.querySelector(".no-data");
    figure.querySelector(".chartbox-body").hidden = !!spec.empty;
    if (spec.empty) {
      if (!empty) {
        empty = document.createElement("p");
        empty.className = "no-data muted";
        empty.textContent = zh ? "暂无数据。" : "No data yet.";
        figure.insertBefore(empty, figure.querySelector(".chartbox-body"));
      }
      return;
    }
    if (empty) { empty.remove(); }
    var chart = instances.get(box);
    if (!chart) {
      chart = echarts.init(box, null, { locale: zh ? "ZH" : "EN", renderer: "svg" });
      instances.set(box, chart);
      window.addEventListener("resize", function () { chart.resize(); });
    }
    chart.setOption(option(spec), true);
    box.dataset.drawn = "true";
  }

  window.expoCharts = {
    update: function (figure, spec) {
      figure.querySelector(".echart").dataset.spec = JSON.stringify(spec);
      table(figure, spec);
      draw(figure, spec);
    },
  };
  document.querySelectorAll("figure.chartbox").forEach(function (figure) {
    draw(figure, JSON.parse(figure.querySelector(".echart").dataset.spec));
  });
})();
