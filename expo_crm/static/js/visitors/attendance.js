// Live attendance: polls the JSON endpoint and redraws the bars and the hourly columns.
(function () {
  "use strict";
  var root = document.getElementById("attendance");
  var picker = document.getElementById("attendance-show");
  if (picker) {
    picker.addEventListener("change", function () { window.location.href = picker.value; });
  }
  if (!root) { return; }

  function text(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } }

  function bars(container, rows) {
    container.textContent = "";
    rows.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "chart-row";
      var name = document.createElement("span");
      name.textContent = row.label;
      var track = document.createElement("span");
      track.className = "track";
      var total = row.registered === undefined ? null : row.registered;
      if (total !== null) {
        var reg = document.createElement("span");
        reg.className = "reg";
        reg.style.width = "100%";
        track.appendChild(reg);
      }
      var inside = document.createElement("span");
      inside.className = "in";
      inside.style.width = Math.round(100 * row.checked_in / (total || row.checked_in || 1)) + "%";
      track.appendChild(inside);
      var count = document.createElement("span");
      count.textContent = row.checked_in + (total !== null ? " / " + total : "");
      line.appendChild(name); line.appendChild(track); line.appendChild(count);
      container.appendChild(line);
    });
  }

  function hours(rows) {
    var box = document.getElementById("att-hours");
    var labels = document.getElementById("att-hours-labels");
    box.textContent = ""; labels.textContent = "";
    var max = rows.reduce(function (m, r) { return Math.max(m, r.count); }, 1);
    rows.forEach(function (row) {
      var col = document.createElement("div");
      col.className = "col";
      col.style.height = Math.max(2, Math.round(100 * row.count / max)) + "%";
      col.title = row.hour + ": " + row.count;
      box.appendChild(col);
    });
    if (rows.length) {
      [rows[0], rows[rows.length - 1]].forEach(function (row) {
        var span = document.createElement("span");
        span.textContent = row.hour;
        labels.appendChild(span);
      });
    }
  }

  function draw(data) {
    text("att-registered", data.registered);
    text("att-checked-in", data.checked_in);
    text("att-inside", data.inside);
    Array.prototype.forEach.call(root.querySelectorAll("[data-chart]"), function (chart) {
      bars(chart, data[chart.dataset.chart] || []);
    });
    hours(data.arrivals || []);
    text("att-updated", new Date().toLocaleTimeString());
  }

  function poll() {
    fetch(root.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () { /* keep the last figures through a network drop */ });
  }
  poll();
  setInterval(poll, 15000);
}());
