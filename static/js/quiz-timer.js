// Moved out of templates/training/quiz.html (a strict Content-Security-Policy allows no inline script).
(function () {
  var el = document.getElementById("quiz-timer"); if (!el) return;
  var left = parseInt(el.dataset.seconds, 10), out = el.querySelector("span");
  function tick() { var m = Math.max(0, Math.floor(left / 60)), s = Math.max(0, left % 60);
    out.textContent = m + ":" + (s < 10 ? "0" : "") + s; if (left <= 60) el.className = "badge text-bg-danger ms-2"; left--; }
  tick(); setInterval(tick, 1000);
})();
