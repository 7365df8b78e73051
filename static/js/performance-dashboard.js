// Moved out of templates/performance/dashboard.html (a strict Content-Security-Policy allows no inline script).
(function () {
  const data = JSON.parse(document.getElementById("dist-data").textContent);
  new Chart(document.getElementById("dist-chart"), {type: "bar",
    data: {labels: data.labels, datasets: [{label: document.getElementById("dist-chart").dataset.label, data: data.counts, backgroundColor: "#3b7ddd"}]},
    options: {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
})();
