// The dashboard's live count: the attendance panel refreshes its figures every 15 seconds.
(function () {
  "use strict";
  var panel = document.getElementById("panel-attendance");
  if (!panel || !panel.dataset.source) { return; }
  function poll() {
    fetch(panel.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        panel.querySelectorAll("[data-figure]").forEach(function (el) {
          el.textContent = data[el.dataset.figure];
        });
      })
      .catch(function () { /* keep the last figures through a network drop */ });
  }
  setInterval(poll, 15000);
})();
