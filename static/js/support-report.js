// Moved out of templates/support/report.html (a strict Content-Security-Policy allows no inline script).
(function () {
  var el = document.getElementById("report-data");
  if (!el || !window.Chart) return;
  var d = JSON.parse(el.textContent), label = document.getElementById("chart-category").dataset.label;
  new Chart(document.getElementById("chart-category"), {type: "bar",
    data: {labels: d.categories.map(function (c) { return c.label; }), datasets: [{label: label, data: d.categories.map(function (c) { return c.count; }), backgroundColor: "#1f6feb"}]},
    options: {animation: false, maintainAspectRatio: false, plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
  new Chart(document.getElementById("chart-month"), {type: "line",
    data: {labels: d.months.map(function (m) { return m.month; }), datasets: [{label: label, data: d.months.map(function (m) { return m.count; }), borderColor: "#1f6feb", tension: 0.2}]},
    options: {animation: false, maintainAspectRatio: false, plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
})();
