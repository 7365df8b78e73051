// Moved out of templates/inventory/product_list.html (a strict Content-Security-Policy allows no inline script).
/* the filter bar re-filters the table in place: the labels take its fields as they are when the button is pressed */
document.getElementById("labels-form").addEventListener("submit", function (e) {
  var bar = document.querySelector("form.filter-bar");
  if (!bar) { return; }
  var form = e.currentTarget;
  form.querySelectorAll("[data-filter-copy]").forEach(function (el) { el.remove(); });
  new FormData(bar).forEach(function (value, key) {
    var input = document.createElement("input");
    input.type = "hidden"; input.name = key; input.value = value; input.setAttribute("data-filter-copy", "");
    form.appendChild(input);
  });
});
