// The drawn hall plan: one SVG built from the page's JSON, one click listener for every booth
// (event delegation), and, for staff, drawing a new booth and dragging one to a new place.
// Every change is a normal form post: the server checks the geometry and says why it refuses.
(function () {
  "use strict";
  var svg = document.getElementById("hall-plan");
  var source = document.getElementById("plan-data");
  if (!svg || !source) return;
  var started = performance.now();
  var plan = JSON.parse(source.textContent);
  var labels = JSON.parse(document.getElementById("plan-labels").textContent);
  var mode = svg.getAttribute("data-mode");
  var NS = "http://www.w3.org/2000/svg";
  var byId = {};
  var hallOffset = {};

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function booth(b) {
    var title = b.n + " · " + b.a + " m² · " + b.t + " · " + labels.status[b.s] + (b.c ? " · " + b.c : "");
    var size = Math.max(0.6, Math.min(b.w, b.d) / 3);
    return '<g class="booth s-' + b.s + '" data-id="' + b.id + '" transform="translate(' + b.x + " " + b.y +
      ") rotate(" + b.r + ')"><rect width="' + b.w + '" height="' + b.d + '" fill="url(#p-' + b.s +
      ')"/><text x="' + b.w / 2 + '" y="' + b.d / 2 + '" font-size="' + size.toFixed(2) + '">' +
      esc(b.n) + "</text><title>" + esc(title) + "</title></g>";
  }

  function build() {
    var top = 0, parts = [];
    var booths = {};
    (plan.unplaced || []).forEach(function (b) { byId[b.id] = b; });
    plan.booths.forEach(function (b) {
      byId[b.id] = b;
      (booths[b.h] = booths[b.h] || []).push(booth(b));
    });
    plan.halls.forEach(function (h) {
      hallOffset[h.hall] = h.dx;
      top = Math.min(top, h.y0);
      var points = h.points.map(function (p) { return p[0] + "," + p[1]; }).join(" ");
      parts.push('<g class="hall" data-hall="' + esc(h.hall) + '" transform="translate(' + h.dx +
        ' 0)"><polygon class="outline" points="' + points + '"/><text class="hall-name" x="' +
        (h.x0 + 1) + '" y="' + (h.y0 - 1) + '">' + esc(labels.hall.replace("%(hall)s", h.hall)) +
        "</text>" + (booths[h.hall] || []).join("") + "</g>");
    });
    svg.querySelector(".plan-body").innerHTML = parts.join("");
    svg.setAttribute("viewBox", [-2, top - 4, plan.width + 4, plan.height + 6].join(" "));
    svg.getBBox(); // lay the drawing out now, inside the measurement
  }

  build();
  requestAnimationFrame(function () {
    var done = performance.now();
    svg.setAttribute("data-render-ms", (done - started).toFixed(1));
    svg.setAttribute("data-rendered-at", done.toFixed(1));
    svg.classList.add("rendered");
  });

  // --- selecting a booth ---------------------------------------------------------------------
  var panel = document.getElementById("booth-panel");
  var selected = null;

  function fill(form, id, values) {
    if (!form) return;
    form.action = form.getAttribute("data-action").replace("/0/", "/" + id + "/");
    Object.keys(values || {}).forEach(function (name) {
      if (form.elements[name]) form.elements[name].value = values[name];
    });
  }

  function select(id) {
    var b = byId[id];
    if (!b || !panel) return;
    if (selected) selected.classList.remove("selected");
    selected = document.querySelector('.booth[data-id="' + id + '"]');
    if (selected) selected.classList.add("selected");
    panel.hidden = false;
    panel.querySelector("[data-field=number]").textContent = b.n;
    panel.querySelector("[data-field=hall]").textContent = b.h;
    panel.querySelector("[data-field=area]").textContent = b.a + " m²";
    panel.querySelector("[data-field=type]").textContent = b.t;
    panel.querySelector("[data-field=status]").textContent = labels.status[b.s];
    var company = panel.querySelector("[data-field=company]");
    if (company) company.textContent = b.c || "—";
    panel.querySelectorAll("[data-when]").forEach(function (el) {
      el.hidden = el.getAttribute("data-when").split(" ").indexOf(b.s) < 0;
    });
    fill(document.getElementById("place-form"), id, {
      x: b.x === undefined ? "" : b.x, y: b.y === undefined ? "" : b.y,
      width: b.w === undefined ? "" : b.w, depth: b.d === undefined ? "" : b.d, rotation: b.r
    });
    fill(document.getElementById("renumber-form"), id, { number: b.n });
    fill(document.getElementById("block-form"), id);
    fill(document.getElementById("sell-form"), id);
    fill(document.getElementById("pick-form"), id, { booth_id: id });
    var block = document.querySelector("#block-form button");
    if (block) block.textContent = b.s === "blocked" ? labels.unblock : labels.block;
  }

  function clicked(event) {
    if (drawing) return;
    var target = event.target.closest(".booth");
    if (target) select(target.getAttribute("data-id"));
  }
  svg.addEventListener("click", clicked);
  var table = document.getElementById("unplaced");
  if (table) table.addEventListener("click", clicked);

  var initial = svg.getAttribute("data-selected");
  if (initial) select(initial);

  if (mode !== "staff") return;

  // --- staff: draw a booth, drag a booth ----------------------------------------------------
  var drawing = false, start = null, preview = null, dragging = null;
  var drawButton = document.getElementById("draw-toggle");
  var drawForm = document.getElementById("draw-form");

  function snap(v) { return Math.round(v * 2) / 2; }

  function at(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function hallAt(event) {
    var g = event.target.closest(".hall");
    return g ? g.getAttribute("data-hall") : null;
  }

  if (drawButton) {
    drawButton.addEventListener("click", function () {
      drawing = !drawing;
      svg.classList.toggle("drawing", drawing);
      drawButton.setAttribute("aria-pressed", drawing ? "true" : "false");
    });
  }

  svg.addEventListener("mousedown", function (event) {
    var hall = hallAt(event);
    if (drawing && hall) {
      var p = at(event);
      start = { hall: hall, x: snap(p.x - hallOffset[hall]), y: snap(p.y) };
      preview = document.createElementNS(NS, "rect");
      preview.setAttribute("class", "preview");
      svg.querySelector(".plan-body").appendChild(preview);
      event.preventDefault();
      return;
    }
    var target = event.target.closest(".booth.selected");
    if (!drawing && target) {
      var b = byId[target.getAttribute("data-id")];
      var q = at(event);
      dragging = { el: target, b: b, dx: q.x - b.x, dy: q.y - b.y, x: b.x, y: b.y };
      event.preventDefault();
    }
  });

  svg.addEventListener("mousemove", function (event) {
    var p;
    if (start && preview) {
      p = at(event);
      var x2 = snap(p.x - hallOffset[start.hall]), y2 = snap(p.y);
      preview.setAttribute("x", Math.min(start.x, x2) + hallOffset[start.hall]);
      preview.setAttribute("y", Math.min(start.y, y2));
      preview.setAttribute("width", Math.abs(x2 - start.x));
      preview.setAttribute("height", Math.abs(y2 - start.y));
    } else if (dragging) {
      p = at(event);
      dragging.x = snap(p.x - dragging.dx);
      dragging.y = snap(p.y - dragging.dy);
      dragging.el.setAttribute("transform", "translate(" + dragging.x + " " + dragging.y + ") rotate(" + dragging.b.r + ")");
    }
  });

  window.addEventListener("mouseup", function (event) {
    if (start && preview) {
      var p = at(event);
      var x2 = snap(p.x - hallOffset[start.hall]), y2 = snap(p.y);
      drawForm.elements.hall.value = start.hall;
      drawForm.elements.x.value = Math.min(start.x, x2);
      drawForm.elements.y.value = Math.min(start.y, y2);
      drawForm.elements.width.value = Math.abs(x2 - start.x);
      drawForm.elements.depth.value = Math.abs(y2 - start.y);
      drawForm.hidden = false;
      drawForm.elements.number.focus();
      start = null;
    } else if (dragging) {
      var form = document.getElementById("place-form");
      form.elements.x.value = dragging.x;
      form.elements.y.value = dragging.y;
      dragging = null;
    }
  });
})();
