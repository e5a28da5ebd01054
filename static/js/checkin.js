// 受付: scans from a keyboard-wedge scanner (types the ticket and Enter into the focused field)
// or from the camera (jsQR, static/vendor/jsQR.js) go to the JSON endpoint one after another,
// and the panel shows the answer: green, amber (受付済み) or red with the reason.
// Without this file the form posts to the page itself and the page shows the same panel.
(function () {
  "use strict";

  var SAME_CODE_PAUSE_MS = 4000; // a ticket held in front of the camera is read once
  var DECODE_EVERY_MS = 120;
  var MAX_DECODE_WIDTH = 640;

  function setupPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function setupCheckin(root) {
    var form = document.getElementById("checkin-form");
    var field = document.getElementById("checkin-code");
    var panel = document.getElementById("checkin-panel");
    var queue = Promise.resolve();

    function part(name) { return panel.querySelector("[data-part=" + name + "]"); }

    function show(outcome, data) {
      panel.className = "checkin-panel checkin-panel--" + outcome;
      part("message").textContent = data.message || "";
      [["name", data.name], ["organisation", data.organisation]].forEach(function (pair) {
        var element = part(pair[0]);
        element.textContent = pair[1] || "";
        element.hidden = !pair[1];
      });
      var seats = part("seats");
      seats.hidden = !(data.seats > 1);
      seats.textContent = data.seats > 1
        ? root.getAttribute("data-msg-seats").replace("{n}", String(data.seats)) : "";
    }

    function count(counts) {
      if (!counts) { return; }
      Object.keys(counts).forEach(function (key) {
        var element = root.querySelector("[data-count=" + key + "]");
        if (element) { element.textContent = String(counts[key]); }
      });
    }

    function failure(name) {
      var error = new Error(root.getAttribute(name));
      error.shown = true;
      return error;
    }

    function send(code) {
      var body = new FormData(form);
      body.set("code", code);
      panel.classList.add("checkin-panel--pending");
      return fetch(root.getAttribute("data-scan-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw failure("data-msg-signed-out"); // sent to the login page: the session ended
        }
        if (!response.ok) { throw failure("data-msg-failed"); }
        return response.json().then(function (data) {
          show(data.outcome, data);
          count(data.counts);
        });
      }).catch(function (error) {
        // Offline or the server down: nothing was stored, the ticket can be read again.
        var message = error && error.shown ? error.message : root.getAttribute("data-msg-failed");
        show("rejected", { message: message });
      }).then(function () {
        panel.classList.remove("checkin-panel--pending");
      });
    }

    function scan(code) {
      code = (code || "").trim();
      if (!code) { return; }
      queue = queue.then(function () { return send(code); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = field.value;
      field.value = "";
      field.focus();
      scan(code);
    });

    setupCamera(root, scan, field);
  }

  function setupCamera(root, scan, field) {
    var start = document.getElementById("checkin-camera-start");
    var stop = document.getElementById("checkin-camera-stop");
    var status = document.getElementById("checkin-camera-status");
    var video = document.getElementById("checkin-video");
    if (!start || typeof window.jsQR !== "function" || !navigator.mediaDevices ||
        !navigator.mediaDevices.getUserMedia) {
      return; // no camera here: the scanner field still works
    }
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;
    var timer = null;
    var last = { code: "", at: 0 };
    start.hidden = false;

    function say(text) {
      status.textContent = text;
      status.hidden = !text;
    }

    function decode() {
      timer = null;
      if (!stream) { return; }
      if (video.readyState >= video.HAVE_ENOUGH_DATA && video.videoWidth) {
        var scale = Math.min(1, MAX_DECODE_WIDTH / video.videoWidth);
        var width = Math.round(video.videoWidth * scale);
        var height = Math.round(video.videoHeight * scale);
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        var image = context.getImageData(0, 0, width, height);
        var found = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
        var now = Date.now();
        if (found && found.data &&
            (found.data !== last.code || now - last.at > SAME_CODE_PAUSE_MS)) {
          last = { code: found.data, at: now };
          scan(found.data);
        } else if (found && found.data) {
          last.at = now; // still in front of the camera
        }
      }
      timer = window.setTimeout(decode, DECODE_EVERY_MS);
    }

    function stopCamera() {
      if (timer) { window.clearTimeout(timer); timer = null; }
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      video.srcObject = null;
      video.hidden = true;
      stop.hidden = true;
      start.hidden = false;
      say("");
      field.focus();
    }

    start.addEventListener("click", function () {
      start.disabled = true;
      navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" } },
        audio: false
      }).then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        say(root.getAttribute("data-msg-reading"));
        return video.play();
      }).then(function () {
        decode();
      }).catch(function () {
        stopCamera();
        say(root.getAttribute("data-msg-camera-failed"));
      }).then(function () {
        start.disabled = false;
      });
    });
    stop.addEventListener("click", stopCamera);
    window.addEventListener("pagehide", stopCamera);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupPrint();
    var root = document.getElementById("checkin");
    if (root) { setupCheckin(root); }
  });
})();
