// Moved out of templates/inventory/stocktake_count.html (a strict Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  var app = document.getElementById("count-app"), code = document.getElementById("code"),
      loc = document.getElementById("loc"), last = document.getElementById("last"), log = document.getElementById("log"),
      qty = document.getElementById("qty"), gross = document.getElementById("gross"), tare = document.getElementById("tare");
  var csrf = document.body.getAttribute("hx-headers").match(/"X-CSRFToken": "([^"]+)"/)[1];
  var queue = Promise.resolve(), pending = 0;
  var T = {counted: app.dataset.tCounted, expected: app.dataset.tExpected, fail: app.dataset.tFail,
           wait: app.dataset.tWait, newline: app.dataset.tNewline};
  function mode() { return document.querySelector("input[name=mode]:checked").value; }
  function beep(ok) {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)(), o = ctx.createOscillator(), g = ctx.createGain();
      o.type = ok ? "sine" : "square"; o.frequency.value = ok ? 1200 : 220; g.gain.value = 0.15;
      o.connect(g); g.connect(ctx.destination); o.start(); o.stop(ctx.currentTime + (ok ? 0.06 : 0.45));
    } catch (e) { /* no audio */ }
  }
  function show(ok, html) {
    last.className = "alert mb-2 " + (ok ? "alert-success" : "alert-danger");
    last.innerHTML = html;
    var li = document.createElement("li");
    li.className = "list-group-item " + (ok ? "" : "list-group-item-danger");
    li.innerHTML = html;
    log.insertBefore(li, log.firstChild);
    while (log.children.length > 30) log.removeChild(log.lastChild);
  }
  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function send(data) {
    pending += 1;
    queue = queue.then(function () {
      var body = new URLSearchParams(data);
      return fetch(app.dataset.scanUrl, {method: "POST", body: body, headers: {"X-CSRFToken": csrf, "Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (j) {
          if (j.ok) {
            beep(true);
            show(true, "<strong>" + esc(j.sku) + "</strong> " + esc(j.name) + " · " + esc(j.location) + " · " + T.counted +
                 " <span class=\"fw-bold fs-5\" data-testid=\"running-count\">" + esc(j.counted) + "</span>" +
                 (j.expected !== undefined ? " / " + T.expected + " " + esc(j.expected) : "") + (j.new_line ? " · " + T.newline : ""));
          } else { beep(false); show(false, "<i class=\"bi bi-exclamation-octagon\"></i> " + esc(j.message)); }
        })
        .catch(function () { beep(false); show(false, T.fail); })
        .finally(function () { pending -= 1; });
    });
  }
  function submitScan() {
    var value = code.value.trim();
    if (!value) return;
    if (value.indexOf("LOC:") === 0) {  // a location label: switch location
      var c = value.split(":").pop(); loc.value = c; code.value = ""; show(true, esc(c)); return;
    }
    var m = mode(), data = {code: value, location: loc.value, method: m === "weight" ? "weight" : (m === "qty" ? "typed" : "scan")};
    if (m === "qty") { if (!qty.value) { qty.focus(); return; } data.quantity = qty.value; qty.value = ""; }
    if (m === "weight") { if (!gross.value) { gross.focus(); return; } data.gross = gross.value; data.tare = tare.value || "0"; gross.value = ""; }
    code.value = "";
    code.focus();
    send(data);
  }
  document.getElementById("scan-form").addEventListener("submit", function (e) { e.preventDefault(); submitScan(); });
  // a scanner types the code and Enter: handle Enter on every input of the form
  [code, qty, gross, tare].forEach(function (el) {
    el.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); submitScan(); } });
  });
  document.querySelectorAll("input[name=mode]").forEach(function (r) {
    r.addEventListener("change", function () {
      document.getElementById("qty-row").hidden = mode() !== "qty";
      document.getElementById("weight-row").hidden = mode() !== "weight";
      code.focus();
    });
  });
  // keep the focus on the scan input (a scanner types into whatever has focus)
  document.addEventListener("click", function (e) {
    if (!e.target.closest("input, select, button, a, label, video")) code.focus();
  });
  loc.addEventListener("change", function () { code.focus(); });
  // camera scanning where the browser offers it: BarcodeDetector, else the vendored ZXing library
  var cam = document.getElementById("camera"), video = document.getElementById("video");
  if (navigator.mediaDevices && (window.BarcodeDetector || window.ZXing)) {
    cam.hidden = false;
    cam.addEventListener("click", function () {
      function found(text) { code.value = text; submitScan(); }
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
  window.addEventListener("beforeunload", function (e) { if (pending) { e.preventDefault(); e.returnValue = T.wait; } });
  code.focus();
})();
