// Picking by scanning: scan a bin label (the bin code as printed), then each item taken from it. The item must be on the order,
// planned from that bin and not yet picked in full, else it is refused with a low beep and a message. The picked
// quantities go into the ship form's hidden fields; shipping posts them once.
(function () {
  "use strict";
  var app = document.getElementById("pick-app"), input = document.getElementById("code");
  if (!app || !input) return;
  var esc = ERPScan.esc, bin = null;
  function num(v) { var n = parseFloat(String(v || "0")); return isNaN(n) ? 0 : n; }
  function fmt(n) { return String(Math.round(n * 1000) / 1000); }
  function fill(s, p) { return s.replace(/%\((\w+)\)s/g, function (m, k) { return p[k] == null ? m : p[k]; }); }
  function lines() { return Array.prototype.slice.call(document.querySelectorAll("[data-line]")); }
  function binsOf(row) { return row.dataset.bins ? row.dataset.bins.split(",") : []; }
  function takeBin(c) {
    if (!lines().some(function (r) { return binsOf(r).indexOf(c) >= 0; })) { scanner.refuse(fill(scanner.texts.no_bin, {bin: c})); return; }
    bin = c;
    lines().forEach(function (r) { r.classList.toggle("current", binsOf(r).indexOf(c) >= 0 && !r.classList.contains("done")); });
    ERPScan.beep(true);
    scanner.show(true, esc(scanner.texts.bin) + " <strong data-testid=\"current-bin\">" + esc(c) + "</strong>");
  }
  var scanner = ERPScan.create({
    input: input, form: document.getElementById("scan-form"), last: document.getElementById("last"),
    log: document.getElementById("log"),
    // a bin label is taken in turn with the items scanned before it (they are still in the queue when a scanner
    // sends the next bin at once): the bin in force for an item is the last bin scanned before that item
    prepare: function (code) {
      var known = [];
      lines().forEach(function (r) { known = known.concat(binsOf(r)); });
      var c = ERPScan.binCode(code, known);
      if (!c) return null;
      input.value = "";
      scanner.enqueue(function () { takeBin(c); });
      return false;
    },
    onCode: function (code) {
      var T = scanner.texts;
      return ERPScan.request(app.dataset.lookupUrl, {code: code}, "GET").then(function (j) {
        if (!j.ok) { scanner.refuse(j.message); return; }
        var rows = lines().filter(function (r) { return r.dataset.product === String(j.product_id); });
        if (!rows.length) { scanner.refuse(fill(T.not_on_order, {sku: j.sku})); return; }
        var row = rows.filter(function (r) { return !r.classList.contains("done"); })[0];
        if (!row) { scanner.refuse(fill(T.full, {sku: j.sku, n: rows[0].dataset.left})); return; }
        if (bin && binsOf(row).indexOf(bin) < 0) {
          scanner.refuse(fill(T.wrong_bin, {sku: j.sku, bin: bin, bins: binsOf(row).join(", ") || "—"})); return;
        }
        var q = row.querySelector("[data-qty]"), left = num(row.dataset.left), now = num(q.value) + num(j.factor);
        if (now > left + 1e-9) { scanner.refuse(fill(T.full, {sku: j.sku, n: fmt(left)})); return; }
        q.value = fmt(now);
        row.querySelector("[data-picked]").textContent = fmt(now);
        row.classList.toggle("done", now >= left);
        if (now >= left) row.classList.remove("current");
        ERPScan.beep(true);
        scanner.show(true, "<strong>" + esc(j.sku) + "</strong> " + esc(j.name) + " · " + esc(T.picked) +
                     " <span class=\"fw-bold\" data-testid=\"running-count\">" + esc(fmt(now)) + "</span> / " + esc(fmt(left)));
        if (lines().every(function (r) { return r.classList.contains("done"); })) {
          scanner.show(true, esc(T.all_done));  // the scan field keeps the focus: Tab reaches the button
        }
      });
    }
  });
})();
