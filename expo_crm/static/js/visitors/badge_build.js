// Bulk badge PDF: polls the build's progress and shows it; reloads once the build ends, so the
// page offers the download (or says why it failed). Without JavaScript the page refreshes itself.
(function () {
  "use strict";
  var root = document.getElementById("badge-build");
  if (!root || (root.dataset.state !== "queued" && root.dataset.state !== "running")) { return; }
  var bar = document.getElementById("build-bar");

  function text(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } }

  function poll() {
    fetch(root.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        text("build-state", data.state_label);
        text("build-count", data.progress_text);
        if (bar) { bar.max = data.total || 1; bar.value = data.done; bar.textContent = data.percent + "%"; }
        if (!data.under_way) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); /* keep trying through a network drop */ });
  }
  window.setTimeout(poll, 1000);
}());
