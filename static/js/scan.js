// Hardware ERP: the burst-safe scan queue shared by the floor pages (stocktake count, pick, receive, stock lookup).
//
// A wedge scanner types a code and Enter, often several codes faster than the server answers. Every scan is
// queued and handled strictly in order (one request at a time), the scan field is cleared and focused again at
// once, a short high beep says "done", a long low one "refused", and the page asks before it is left while scans
// are still being saved. Texts come from a <script type="application/json" id="scan-texts"> (json_script).
(function () {
  "use strict";
  var audio = null;

  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var o = audio.createOscillator(), g = audio.createGain();
      o.type = ok ? "sine" : "square"; o.frequency.value = ok ? 1200 : 220; g.gain.value = 0.15;
      o.connect(g); g.connect(audio.destination); o.start(); o.stop(audio.currentTime + (ok ? 0.06 : 0.45));
    } catch (e) { /* no audio */ }
    document.dispatchEvent(new CustomEvent("erp:beep", {detail: {ok: ok}}));  // tests and benchmarks listen
  }

  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }

  function texts(id) {
    var el = document.getElementById(id || "scan-texts");
    return el ? JSON.parse(el.textContent) : {};
  }

  function csrf() {
    var m = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken": "([^"]+)"/);
    return m ? m[1] : "";
  }

  function request(url, data, method) {
    var opts = {headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}, method: method || "POST"};
    if (opts.method === "GET") { url += (url.indexOf("?") < 0 ? "?" : "&") + new URLSearchParams(data); }
    else { opts.body = new URLSearchParams(data); }
    return fetch(url, opts).then(function (r) { return r.json(); });
  }

  // create({input, form, last, log, onCode(code, extra) -> promise|undefined, prepare(code) -> extra|false, keepFocus})
  function create(o) {
    var queue = Promise.resolve(), pending = 0, T = texts();
    document.body.dataset.scanPending = 0;
    function show(ok, html) {
      if (o.last) { o.last.className = "alert mb-2 " + (ok ? "alert-success" : "alert-danger"); o.last.innerHTML = html; o.last.dataset.ok = ok ? "1" : "0"; }
      if (!o.log) return;
      var li = document.createElement("li");
      li.className = "list-group-item " + (ok ? "" : "list-group-item-danger");
      li.innerHTML = html;
      o.log.insertBefore(li, o.log.firstChild);
      while (o.log.children.length > 30) o.log.removeChild(o.log.lastChild);
    }
    function refuse(message) { beep(false); show(false, "<i class=\"bi bi-exclamation-octagon\"></i> " + esc(message)); }
    function enqueue(fn) {
      pending += 1;
      document.body.dataset.scanPending = pending;
      queue = queue.then(fn).catch(function () { refuse(T.fail || "Network error: scan again."); })
        .finally(function () { pending -= 1; document.body.dataset.scanPending = pending; });
      return queue;
    }
    function submit() {
      var code = o.input.value.trim();
      if (!code) return;
      // prepare(code) may collect more (a typed quantity) or return false to keep the code and wait
      var extra = o.prepare ? o.prepare(code) : null;
      if (extra === false) return;
      o.input.value = "";
      o.input.focus();
      enqueue(function () { return o.onCode(code, extra); });
    }
    o.input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); submit(); } });
    if (o.form) o.form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
    if (o.keepFocus !== false) {
      // a scanner types into whatever has focus: give it back to the scan field
      document.addEventListener("click", function (e) {
        if (!e.target.closest("input, select, textarea, button, a, label, video, .ts-wrapper")) o.input.focus();
      });
    }
    window.addEventListener("beforeunload", function (e) { if (pending) { e.preventDefault(); e.returnValue = T.wait || "…"; } });
    o.input.focus();
    return {show: show, refuse: refuse, enqueue: enqueue, submit: submit, texts: T,
            pending: function () { return pending; }};
  }

  // A scanned bin label: the bin code as printed (A-01-01), or LOC:<warehouse>:<bin> on labels printed before
  // 2026-12. `known` lists the bin codes the page knows; returns the code, or null when the scan is not a bin.
  function binCode(value, known) {
    var legacy = value.indexOf("LOC:") === 0, v = (legacy ? value.split(":").pop() : value).trim().toUpperCase();
    if (legacy) return v;
    return (known || []).some(function (k) { return String(k).toUpperCase() === v; }) ? v : null;
  }

  window.ERPScan = {create: create, beep: beep, esc: esc, texts: texts, request: request, csrf: csrf, binCode: binCode};
})();
