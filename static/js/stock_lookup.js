// Handheld stock lookup: scan a product, see its bins (warehouse · bin · on hand), most stock first.
(function () {
  "use strict";
  var app = document.getElementById("lookup-app");
  if (!app) return;
  var esc = ERPScan.esc, card = document.getElementById("product");
  var scanner = ERPScan.create({
    input: document.getElementById("code"), form: document.getElementById("scan-form"),
    last: document.getElementById("last"),
    onCode: function (code) {
      return ERPScan.request(app.dataset.lookupUrl, {code: code}, "GET").then(function (j) {
        if (!j.ok) { card.hidden = true; scanner.refuse(j.message); return; }
        ERPScan.beep(true);
        scanner.show(true, "<strong>" + esc(j.sku) + "</strong> " + esc(j.name));
        document.getElementById("p-title").innerHTML = "<strong>" + esc(j.sku) + "</strong> " + esc(j.name);
        document.getElementById("p-spec").textContent = j.spec || "";
        var ul = document.getElementById("p-bins"), T = scanner.texts;
        ul.innerHTML = j.bins.length ? j.bins.map(function (b) {
          return "<li class=\"list-group-item d-flex\"><span class=\"fw-semibold me-2\">" + esc(b.warehouse) + " · " + esc(b.code) +
                 "</span><span class=\"ms-auto floor-qty\">" + esc(b.on_hand) + " " + esc(j.unit) + "</span></li>";
        }).join("") : "<li class=\"list-group-item text-muted\">" + esc(T.nothing) + "</li>";
        card.hidden = false;
      });
    }
  });
})();
