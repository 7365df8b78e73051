/* Product labels: the filter bar re-filters the table in place, so the labels form takes the bar's fields as they
   are when the button is pressed. */
(function () {
  "use strict";
  var form = document.getElementById("labels-form");
  if (!form || !form.hasAttribute("data-with-filters")) { return; }
  form.addEventListener("submit", function () {
    var bar = document.querySelector("form.filter-bar");
    if (!bar) { return; }
    form.querySelectorAll("[data-filter-copy]").forEach(function (el) { el.remove(); });
    new FormData(bar).forEach(function (value, key) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = key; input.value = value; input.setAttribute("data-filter-copy", "");
      form.appendChild(input);
    });
  });
})();
