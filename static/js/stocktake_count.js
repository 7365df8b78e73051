// Stocktake count page: scans through the shared queue (scan.js), one location at a time.
(function () {
  "use strict";
  var app = document.getElementById("count-app");
  if (!app) return;
  var code = document.getElementById("code"), loc = document.getElementById("loc"),
      qty = document.getElementById("qty"), gross = document.getElementById("gross"), tare = document.getElementById("tare");
  var esc = ERPScan.esc;
  function mode() { return document.querySelector("input[name=mode]:checked").value; }
  var scanner = ERPScan.create({
    input: code, form: document.getElementById("scan-form"),
    last: document.getElementById("last"), log: document.getElementById("log"),
    prepare: function (value) {
      var known = Array.prototype.map.call(loc.options, function (o) { return o.value; });
      var c = ERPScan.binCode(value, known);
      if (c) {  // a bin label: switch location, nothing to send
        loc.value = c; code.value = ""; scanner.show(true, esc(c)); return false;
      }
      var m = mode(), data = {code: value, location: loc.value, method: m === "weight" ? "weight" : (m === "qty" ? "typed" : "scan")};
      if (m === "qty") { if (!qty.value) { qty.focus(); return false; } data.quantity = qty.value; qty.value = ""; }
      if (m === "weight") { if (!gross.value) { gross.focus(); return false; } data.gross = gross.value; data.tare = tare.value || "0"; gross.value = ""; }
      return data;
    },
    onCode: function (value, data) {
      var T = scanner.texts;
      return ERPScan.request(app.dataset.scanUrl, data).then(function (j) {
        if (!j.ok) { scanner.refuse(j.message); return; }
        ERPScan.beep(true);
        scanner.show(true, "<strong>" + esc(j.sku) + "</strong> " + esc(j.name) + " · " + esc(j.location) + " · " + T.counted +
             " <span class=\"fw-bold fs-5\" data-testid=\"running-count\">" + esc(j.counted) + "</span>" +
             (j.expected !== undefined ? " / " + T.expected + " " + esc(j.expected) : "") + (j.new_line ? " · " + T.newline : ""));
      });
    }
  });
  // Enter in the quantity or weight fields sends the scan too
  [qty, gross, tare].forEach(function (el) {
    el.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); scanner.submit(); } });
  });
  document.querySelectorAll("input[name=mode]").forEach(function (r) {
    r.addEventListener("change", function () {
      document.getElementById("qty-row").hidden = mode() !== "qty";
      document.getElementById("weight-row").hidden = mode() !== "weight";
      code.focus();
    });
  });
  loc.addEventListener("change", function () { code.focus(); });
  // camera scanning where the browser offers it: BarcodeDetector, else the vendored ZXing library
  var cam = document.getElementById("camera"), video = document.getElementById("video");
  if (navigator.mediaDevices && (window.BarcodeDetector || window.ZXing)) {
    cam.hidden = false;
    cam.addEventListener("click", function () {
      function found(text) { code.value = text; scanner.submit(); }
      if (window.ZXing && !window.BarcodeDetector) {
        var reader = new ZXing.BrowserMultiFormatReader();
        video.hidden = false;
        reader.decodeFromVideoDevice(null, video, function (res) { if (res) { found(res.getText()); } });
        return;
      }
      var detector = new BarcodeDetector();
      navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}}).then(function (stream) {
        video.srcObject = stream; video.hidden = false; video.play();
        var lastText = "", lastAt = 0;
        (function tick() {
          detector.detect(video).then(function (codes) {
            var now = Date.now();
            if (codes.length && (codes[0].rawValue !== lastText || now - lastAt > 1500)) {
              lastText = codes[0].rawValue; lastAt = now; found(lastText);
            }
            requestAnimationFrame(tick);
          }).catch(function () { requestAnimationFrame(tick); });
        })();
      });
    });
  }
})();
