// Gate page: hand scanner (code + Enter) or camera (jsQR); green/red answer; offline queue.
(function () {
  "use strict";
  var root = document.getElementById("gate");
  if (!root) { return; }
  var endpoint = root.dataset.endpoint;
  var queueKey = "expo-gate-queue-" + root.dataset.show;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var form = document.getElementById("gate-form");
  var codeInput = document.getElementById("gate-code");
  var gateInput = document.getElementById("gate-name");
  var direction = document.getElementById("gate-direction");
  var answer = document.getElementById("gate-answer");
  var queueLabel = document.getElementById("gate-queue");
  var onlineLabel = document.getElementById("gate-online");
  var log = document.getElementById("gate-log");
  var LOG_SIZE = 15;
  var flushing = false;
  // What the queue sent since it last became non-empty, for the summary told to the operator.
  var drained = { sent: 0, refused: 0 };

  gateInput.value = localStorage.getItem("expo-gate-name") || gateInput.value;
  function saveGate() { localStorage.setItem("expo-gate-name", gateInput.value.trim()); }
  gateInput.addEventListener("change", saveGate);
  direction.addEventListener("change", function () { codeInput.focus(); });

  function label(name) { return root.getAttribute("data-label-" + name) || name; }
  // Times read in the show's time zone, wherever the gate's browser thinks it is.
  var clockFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    timeZone: root.dataset.timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
  });
  function timeOf(iso) { return clockFormat.format(new Date(iso)); }
  function counted(name, n) { return label(name).replace("{n}", n); }

  function readQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(items) {
    localStorage.setItem(queueKey, JSON.stringify(items));
    showQueue();
  }
  function enqueue(item) { writeQueue(readQueue().concat([item])); }
  function showQueue() {
    var n = readQueue().length;
    queueLabel.textContent = n ? queueLabel.dataset.template.replace("{n}", n) : "";
  }

  function nonce() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function show(kind, title, lines) {
    answer.className = "big-answer gate-answer " + kind;
    answer.textContent = "";
    var head = document.createElement("div");
    head.textContent = title;
    head.id = "gate-result";
    answer.appendChild(head);
    (lines || []).forEach(function (text) {
      if (!text) { return; }
      var line = document.createElement("div");
      line.className = "who";
      line.textContent = text;
      answer.appendChild(line);
    });
    answer.dataset.result = kind;
  }

  function title(body) { return label(body.result || body.error || "bad_request"); }

  function render(body, status) {
    var lines = [body.name, body.company, body.category_label];
    if (body.badge_show) { lines.unshift(label("badge-show").replace("{show}", body.badge_show)); }
    if (body.first_entry_at) {
      lines.push(label("first-entry") + ": " + timeOf(body.first_entry_at) + " " + (body.first_entry_gate || ""));
    }
    show(status === 201 ? "ok" : "bad", title(body), lines);
    answer.setAttribute("data-code", body.result || body.error || "");
  }

  function remember(item, body, status, fromQueue) {
    var entry = document.createElement("li");
    entry.className = status === 201 ? "ok" : "bad";
    entry.dataset.result = body.result || body.error || "";
    var parts = [timeOf(item.at), item.gate, title(body), body.badge_show, body.name, body.category_label];
    if (fromQueue) { parts.push("(" + label("from-queue") + ")"); }
    entry.textContent = parts.filter(Boolean).join(" · ");
    log.insertBefore(entry, log.firstChild);
    while (log.children.length > LOG_SIZE) { log.removeChild(log.lastChild); }
  }

  function setOnline(online) {
    onlineLabel.textContent = label(online ? "online" : "offline");
    onlineLabel.className = online ? "online" : "offline";
  }

  // One scan to the server. Resolves with {body, status}; rejects with error.reason
  // "offline" (no network or server down: retry later), "signed-out" or "session-expired".
  // A queued scan carries the time it was scanned (scanned_at); one sent at once needs none.
  function send(item, fromQueue) {
    return fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({
        code: item.code, gate: item.gate, direction: item.direction, nonce: item.nonce,
        scanned_at: fromQueue ? item.at : undefined
      })
    }).catch(function () {
      throw failure("offline");
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) { throw failure("signed-out"); }
      if (response.status >= 500 || response.status === 429) { throw failure("offline"); }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw failure("session-expired"); }
      return response.json().then(function (body) { return { body: body, status: response.status }; });
    });
  }

  function failure(reason) {
    var error = new Error(reason);
    error.reason = reason;
    return error;
  }

  function queued(reason) {
    show("warn", label(reason === "offline" ? "queued" : reason));
    setOnline(reason !== "offline");
  }

  function scan(code) {
    code = (code || "").trim();
    if (!code) { return; }
    var item = {
      code: code, gate: gateInput.value.trim() || "W1", direction: direction.value, nonce: nonce(),
      at: new Date().toISOString()
    };
    if (readQueue().length) {
      // Earlier scans go first, so this one waits behind them.
      enqueue(item);
      show("warn", label("queued"));
      flush();
      return;
    }
    send(item).then(function (result) {
      render(result.body, result.status);
      remember(item, result.body, result.status, false);
      setOnline(true);
    }).catch(function (error) {
      if (!error.reason) { throw error; }
      drained = { sent: 0, refused: 0 };
      enqueue(item);
      queued(error.reason);
    });
  }

  function flush() {
    if (flushing) { return; }
    var items = readQueue();
    if (!items.length) { return; }
    flushing = true;
    var item = items[0];
    send(item, true).then(function (result) {
      // Any answer means the server stored the scan (or had it already: same nonce).
      writeQueue(readQueue().filter(function (other) { return other.nonce !== item.nonce; }));
      remember(item, result.body, result.status, true);
      drained.sent += 1;
      if (result.status !== 201) { drained.refused += 1; }
      setOnline(true);
      flushing = false;
      if (readQueue().length) { flush(); } else { summarise(); }
    }).catch(function (error) {
      flushing = false;
      if (error.reason) { queued(error.reason); } else { throw error; }
    });
  }

  function summarise() {
    var lines = drained.refused ? [counted("queue-refused", drained.refused)] : [];
    show(drained.refused ? "bad" : "ok", counted("queue-sent", drained.sent), lines);
    answer.setAttribute("data-code", "queue-sent");
    drained = { sent: 0, refused: 0 };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    saveGate();
    var code = codeInput.value;
    codeInput.value = "";
    scan(code);
    codeInput.focus();
  });
  // A hand scanner types wherever the focus is: keys typed outside a field go to the code box.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) { return; }
    codeInput.focus();
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { setOnline(false); });
  setInterval(flush, 5000);
  setOnline(navigator.onLine !== false);
  showQueue();
  flush();

  // Camera: decode frames with jsQR and scan each badge once while it stays in view.
  var video = document.getElementById("gate-video");
  var canvas = document.getElementById("gate-canvas");
  var cameraButton = document.getElementById("gate-camera");
  var startLabel = cameraButton.textContent;
  var lastCode = "", lastSeen = 0, stream = null;
  cameraButton.addEventListener("click", function () {
    if (stream) { stopCamera(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { show("bad", label("camera-error")); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (opened) {
      stream = opened;
      video.hidden = false;
      video.srcObject = stream;
      video.play();
      cameraButton.textContent = cameraButton.dataset.labelStop;
      show("", label("camera-on"));
      requestAnimationFrame(tick);
    }).catch(function () { show("bad", label("camera-error")); });
  });
  function stopCamera() {
    stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    cameraButton.textContent = startLabel;
    codeInput.focus();
  }
  function tick() {
    if (!stream) { return; }
    if (video.readyState === video.HAVE_ENOUGH_DATA && video.videoWidth) {
      // Decoding a smaller frame keeps each pass well under a frame's time on a phone.
      var scale = Math.min(1, 640 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR && window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      var now = Date.now();
      if (found && found.data) {
        // A badge held in view is one scan; it counts again only after leaving view for 3 s.
        if (found.data !== lastCode || now - lastSeen > 3000) { scan(found.data); }
        lastCode = found.data;
        lastSeen = now;
      }
    }
    requestAnimationFrame(tick);
  }
}());
