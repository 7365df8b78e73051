// Moved out of templates/orders/analytics.html (a strict Content-Security-Policy allows no inline script).
(function () {
  var charts = JSON.parse(document.getElementById("chart-data").textContent);
  var orders = document.getElementById("chart-labels").dataset.ordersLabel || "Orders";
  charts.forEach(function (c) {
    var el = document.getElementById("chart-" + c.key);
    if (!el) return;
    var datasets = [{ label: c.metric, data: c.values, backgroundColor: "rgba(31,111,235,.55)", borderColor: "#1f6feb", yAxisID: "y" }];
    var scales = { y: { beginAtZero: true } };
    if (c.counts) { datasets.push({ label: orders, data: c.counts, type: "bar", backgroundColor: "rgba(120,130,140,.35)", yAxisID: "y1" }); scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } }; }
    new Chart(el, { type: c.type, data: { labels: c.labels, datasets: datasets },
      options: { indexAxis: c.type === "bar" && !c.counts ? "y" : "x", responsive: true, plugins: { legend: { display: !!c.counts } }, scales: c.type === "bar" && !c.counts ? {} : scales } });
  });
})();
