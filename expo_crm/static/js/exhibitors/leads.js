// Lead capture: a hand scanner types the code and Enter into the field (the form submits itself);
// the camera button decodes QR codes from the phone camera with jsQR and submits the same form.
(function () {
  "use strict";
  var form = document.getElementById("lead-form");
  var field = document.getElementById("code");
  var start = document.getElementById("camera-start");
  if (!form || !field) { return; }

  field.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && field.value.trim()) {
      event.preventDefault();
      form.submit();
    }
  });

  if (!start) { return; }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof jsQR !== "function") {
    start.hidden = true;
    return;
  }
  var box = document.getElementById("camera-box");
  var video = document.getElementById("camera");
  var canvas = document.getElementById("camera-frame");
  var status = document.getElementById("camera-status");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
  }

  function scan() {
    if (!stream) { return; }
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) {
        field.value = found.data;
        stop();
        form.submit();
        return;
      }
    }
    window.requestAnimationFrame(scan);
  }

  start.addEventListener("click", function () {
    box.hidden = false;
    status.textContent = start.dataset.waiting || "";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.play();
      status.textContent = "";
      window.requestAnimationFrame(scan);
    }).catch(function (error) {
      status.textContent = String(error && error.message || error);
    });
  });
  window.addEventListener("pagehide", stop);
}());
