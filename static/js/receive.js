// Receiving a purchase order by scanning: each scan of a product adds one (or a pack) to its line's quantity,
// into the bin last scanned (a bin label) or the product's own bin; a product not on the order, or more than is
// still to receive, is refused with a sound. The quantities are posted with the form, once.
(function () {
  "use strict";
  var app = document.getElementById("receive-app"), input = document.getElementById("code");
  if (!app || !input) return;
  var esc = ERPScan.esc, bin = null;
  function num(v) { var n = parseFloat(String(v || "0").replace(",", ".")); return isNaN(n) ? 0 : n; }
  function fmt(n) { return String(Math.round(n * 1000) / 1000); }
  function setBin(select, id) {
    if (!id) return;
    if (select.tomselect) select.tomselect.setValue(String(id), true); else select.value = String(id);
  }
  function binId(select, code) {
    for (var i = 0; i < select.options.length; i++) { var t = select.options[i].text; if (t === code || t.split("/").pop() === code) return select.options[i].value; }
    return null;
  }
  var scanner = ERPScan.create({
    input: input, form: document.getElementById("scan-form"), last: document.getElementById("last"),
    log: document.getElementById("log"),
    prepare: function (code) {
      var known = [];
      document.querySelectorAll("select[name^=loc_] option").forEach(function (o) { known.push(o.text.split("/").pop().trim()); });
      var c = ERPScan.binCode(code, known);
      if (!c) return null;
      // in turn with the items scanned before it, still in the queue when a scanner sends a bin label at once
      input.value = "";
      scanner.enqueue(function () { bin = c; scanner.show(true, esc(scanner.texts.bin) + " " + esc(bin)); });
      return false;
    },
    onCode: function (code) {
      var T = scanner.texts;
      return ERPScan.request(app.dataset.lookupUrl, {code: code}, "GET").then(function (j) {
        if (!j.ok) { scanner.refuse(j.message); return; }
        var row = document.querySelector("[data-line][data-product=\"" + j.product_id + "\"]");
        if (!row) { scanner.refuse(T.not_on_order.replace("%(sku)s", j.sku)); return; }
        var q = row.querySelector("input[name^=qty_]"), sel = row.querySelector("select[name^=loc_]");
        var left = num(row.dataset.outstanding), now = num(q.value) + num(j.factor);
        if (now > left + 1e-9) { scanner.refuse(T.too_many.replace("%(sku)s", j.sku).replace("%(n)s", fmt(left))); return; }
        q.value = fmt(now);
        if (bin) { var id = binId(sel, bin); if (id) setBin(sel, id); }
        else if (!sel.value && j.home_bin_id) setBin(sel, j.home_bin_id);
        document.querySelectorAll("[data-line].current").forEach(function (r) { r.classList.remove("current"); });
        row.classList.add("current");
        row.classList.toggle("done", now >= left);
        ERPScan.beep(true);
        scanner.show(true, "<strong>" + esc(j.sku) + "</strong> " + esc(j.name) + " · " + esc(T.received) +
                     " <span class=\"fw-bold\" data-testid=\"running-count\">" + esc(fmt(now)) + "</span> / " + esc(fmt(left)));
      });
    }
  });
})();
