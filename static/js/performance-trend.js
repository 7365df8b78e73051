// Moved out of templates/performance/_trend_chart.html (a strict Content-Security-Policy allows no inline script).
(function () {
  const data = JSON.parse(document.getElementById("trend-data").textContent);
  new Chart(document.getElementById("trend-chart"), {type: "line",
    data: {labels: data.labels, datasets: [{label: document.getElementById("trend-chart").dataset.label, data: data.scores, tension: 0.2, spanGaps: true}]},
    options: {plugins: {legend: {display: false}}, scales: {y: {suggestedMin: 0, suggestedMax: 100}}}});
})();
