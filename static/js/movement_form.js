// Stock movement forms (receive, issue, transfer, adjust, return): choosing a product offers only its units (base
// unit first, the default) and moves the bins to its own: the bin with the most stock to take from, its home bin
// (latest receipt) to put into. Every other bin stays searchable.
(function () {
  "use strict";
  var form = document.querySelector("form");
  var product = document.querySelector("select[name=product]");
  var anchor = document.getElementById("movement-lookup");
  if (!form || !product || !anchor) return;
  var url = anchor.dataset.url;
  function setSelect(sel, value) {
    if (!sel || value == null) return;
    if (sel.tomselect) sel.tomselect.setValue(String(value), true); else sel.value = String(value);
  }
  function apply(j) {
    var unit = form.querySelector("select[name=unit]");
    if (unit) {
      var keep = unit.value;
      unit.innerHTML = "";
      j.units.forEach(function (u, i) {
        var o = document.createElement("option");
        o.value = i === 0 ? "" : u.id; o.textContent = u.name + (i === 0 ? "" : " (" + u.factor + " " + j.unit + ")");
        unit.appendChild(o);
      });
      if (keep && unit.querySelector("option[value=\"" + keep + "\"]")) unit.value = keep;
    }
    form.querySelectorAll("select[data-bin-default]").forEach(function (sel) {
      if (sel.dataset.binDefault === "stock") {
        if (j.bins.length) setSelect(sel, j.bins[0].id);
      } else if (j.home_bin_id) { setSelect(sel, j.home_bin_id); }
    });
  }
  function load() {
    if (!product.value) return;
    ERPScan.request(url, {product: product.value}, "GET").then(function (j) { if (j.ok) apply(j); });
  }
  product.addEventListener("change", load);
})();
