// Moved out of templates/orders/order_form.html (a strict Content-Security-Policy allows no inline script).
(function () {
  document.querySelectorAll("#lines select, #lines input").forEach(function (el) { el.classList.add(el.tagName === "SELECT" ? "form-select" : "form-control"); });
  var btn = document.getElementById("add-line");
  btn.addEventListener("click", function () {
    var total = document.getElementById("id_lines-TOTAL_FORMS");
    var n = parseInt(total.value, 10);
    var rows = document.querySelectorAll("#lines tbody tr.line-row");
    var tpl = rows[rows.length - 1];
    var row = tpl.cloneNode(true);
    row.querySelectorAll(".ts-wrapper").forEach(function (w) { w.remove(); });
    row.querySelectorAll(".invalid-feedback").forEach(function (w) { w.remove(); });
    row.querySelectorAll("select, input").forEach(function (el) {
      el.name = el.name.replace(/lines-\d+-/, "lines-" + n + "-");
      el.id = el.id.replace(/lines-\d+-/, "lines-" + n + "-");
      el.classList.remove("tomselected", "ts-hidden-accessible");
      if (el.tagName === "SELECT") { el.style.display = ""; if (el.dataset.picker !== undefined) { el.innerHTML = '<option value="">---------</option>'; } else { el.value = ""; } }
      else { el.value = ""; }
    });
    tpl.parentNode.appendChild(row);
    total.value = n + 1;
    window.ERP.initPickers(row);
  });
})();
