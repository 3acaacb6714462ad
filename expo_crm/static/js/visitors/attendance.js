// Live attendance: polls the JSON endpoint and redraws the figures, the charts and their tables.
(function () {
  "use strict";
  var root = document.getElementById("attendance");
  var picker = document.getElementById("attendance-show");
  if (picker) {
    picker.addEventListener("change", function () { window.location.href = picker.value; });
  }
  if (!root) { return; }

  function text(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } }

  function draw(data) {
    text("att-registered", data.registered);
    text("att-checked-in", data.checked_in);
    text("att-inside", data.inside);
    Object.keys(data.charts || {}).forEach(function (key) {
      var figure = document.getElementById("chart-" + key.replace("_", "-"));
      if (figure && window.expoCharts) { window.expoCharts.update(figure, data.charts[key]); }
    });
    // The server shares the figures for up to data.max_age_seconds: show when they were taken.
    text("att-updated", new Date(data.as_of || Date.now()).toLocaleTimeString());
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
