// Hardware ERP: small behaviours shared by every page.
(function () {
  "use strict";
  // Searchable pickers: any <select data-picker> becomes a Tom Select (remote when data-url is set).
  function initPickers(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-picker]:not(.tomselected)").forEach(function (el) {
      var opts = { maxOptions: 50, allowEmptyOption: true };
      if (el.dataset.url) {
        // The server's answer is the list, in its order: it finds by pinyin, initials, phone, credit code and
        // contact (hdwj, 138 1234 5678), which the labels shown do not hold, so Tom Select's own filtering of the
        // labels would hide it. Until a query's answer arrives, the labels are filtered as usual.
        var answers = {};
        opts.valueField = "id"; opts.labelField = "text"; opts.searchField = ["text"];
        opts.load = function (q, cb) {
          fetch(el.dataset.url + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
            .then(function (r) { return r.json(); }).then(function (j) {
              var rows = j.results || [], order = {};
              rows.forEach(function (row, i) { order[row.id] = rows.length - i; });
              answers[q] = order;
              cb(rows);
            }).catch(function () { cb(); });
        };
        opts.score = function (search) {
          var order = answers[search];
          if (!order) return this.getScoreFunction(search);
          return function (item) { return order[item.id] || 0; };
        };
      }
      new TomSelect(el, opts);
    });
  }
  // Buttons with data-confirm ask before submitting; forms are guarded against double submission.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-confirm]");
    if (b && !window.confirm(b.dataset.confirm)) { e.preventDefault(); e.stopPropagation(); }
  }, true);
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.hasAttribute("hx-get") || f.hasAttribute("hx-post") || (f.getAttribute("method") || "get").toLowerCase() === "get") return;
    if (f.dataset.submitted) { e.preventDefault(); return; }
    f.dataset.submitted = "1";
    setTimeout(function () { delete f.dataset.submitted; }, 4000);
  });
  // No inline handlers (the Content-Security-Policy forbids them): <select data-autosubmit> submits its form when
  // changed, <input data-select-on-click> selects its text when clicked (a link to copy).
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-autosubmit]") && e.target.form) e.target.form.requestSubmit();
  });
  document.addEventListener("click", function (e) {
    if (e.target.matches && e.target.matches("[data-select-on-click]")) e.target.select();
  });
  document.addEventListener("DOMContentLoaded", function () { initPickers(document); });
  document.addEventListener("htmx:afterSwap", function (e) { initPickers(e.target); });
  window.ERP = { initPickers: initPickers };
})();
