// Sales analytics charts, fed by the JSON the page carries (the same numbers as the tables and Excel files).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("crm-chart-data").textContent);
  var L = JSON.parse(document.getElementById("crm-chart-labels").textContent);
  var C = ["#1f6feb", "#198754", "#dc3545", "#d39400", "#0aa2c0", "#6f42c1", "#6c757d"];
  function num(v) { return v === null || v === undefined ? null : parseFloat(v); }
  function col(rows, f) { return rows.map(function (r) { return num(r[f]); }); }
  function lab(rows, f) { return rows.map(function (r) { return r[f]; }); }
  function chart(key, config) {
    var el = document.getElementById("chart-" + key);
    if (!el) return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false,
      plugins: { legend: { position: "bottom" } } }, config.options || {});
    new Chart(el, config);
  }
  var reps = data.reps || [];
  chart("reps", { type: "bar", data: { labels: lab(reps, "name"), datasets: [
    { label: L.won, data: col(reps, "won"), backgroundColor: C[1], yAxisID: "y" },
    { label: L.lost, data: col(reps, "lost"), backgroundColor: C[2], yAxisID: "y" },
    { label: L.newCustomers, data: col(reps, "new_customers"), backgroundColor: C[0], yAxisID: "y" },
    { label: L.winRate, data: col(reps, "win_rate"), type: "line", borderColor: C[3], backgroundColor: C[3], yAxisID: "pct" },
    { label: L.onTime, data: col(reps, "on_time_rate"), type: "line", borderColor: C[5], backgroundColor: C[5], yAxisID: "pct" },
    { label: L.revenue, data: col(reps, "revenue"), type: "line", showLine: false, pointStyle: "rectRot", pointRadius: 6, borderColor: C[6], backgroundColor: C[6], yAxisID: "money" }
  ] }, options: { scales: { y: { beginAtZero: true }, pct: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } },
    money: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } } });
  var src = data.sources || [];
  chart("sources", { type: "bar", data: { labels: lab(src, "label"), datasets: [
    { label: L.newCustomers, data: col(src, "customers"), backgroundColor: C[0] },
    { label: L.converted, data: col(src, "converted"), backgroundColor: C[1] },
    { label: L.revenue, data: col(src, "revenue"), type: "line", showLine: false, pointStyle: "rectRot", pointRadius: 6, borderColor: C[6], backgroundColor: C[6], yAxisID: "money" }
  ] }, options: { scales: { y: { beginAtZero: true }, money: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } } });
  var cust = data.customers || [];
  chart("customers", { type: "bar", data: { labels: lab(cust, "name"), datasets: [
    { label: L.revenue, data: col(cust, "revenue"), backgroundColor: C[6] }
  ] }, options: { indexAxis: "y", plugins: { legend: { display: false } } } });
  var st = data.stages || [];
  chart("stages", { type: "bar", data: { labels: lab(st, "label"), datasets: [
    { label: L.amount, data: col(st, "amount"), backgroundColor: C[0] },
    { label: L.weighted, data: col(st, "weighted"), backgroundColor: C[4] }
  ] }, options: { indexAxis: "y" } });
  var m = data.months || [];
  chart("months", { type: "bar", data: { labels: lab(m, "month"), datasets: [
    { label: L.open, data: col(m, "open"), backgroundColor: C[0] },
    { label: L.weighted, data: col(m, "weighted"), backgroundColor: C[4] },
    { label: L.wonAmount, data: col(m, "won"), backgroundColor: C[1] }
  ] }, options: { scales: { y: { beginAtZero: true } } } });
  var reg = (data.regions || []).slice(0, 15);
  chart("regions", { type: "bar", data: { labels: reg.map(function (r) { return r.province + " " + r.city; }), datasets: [
    { label: L.customers, data: col(reg, "customers"), backgroundColor: C[5] }
  ] }, options: { indexAxis: "y", plugins: { legend: { display: false } } } });
})();
