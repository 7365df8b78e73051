// Pipeline board: drag a card to another stage; the move is posted with htmx and the card replaced.
(function () {
  "use strict";
  var errorBox = document.getElementById("board-error");
  var lostModal = new bootstrap.Modal(document.getElementById("lost-modal"));
  var pendingLost = null;

  function showError(text) {
    errorBox.textContent = text;
    errorBox.classList.remove("d-none");
  }

  function recount() {
    document.querySelectorAll(".kanban-col").forEach(function (col) {
      var n = col.querySelectorAll(".kanban-card").length;
      var empty = col.querySelector(".kanban-empty");
      if (empty) empty.classList.toggle("d-none", n > 0);
    });
  }

  function money(n) {
    return "\u00a5" + n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  // a saved move: one card fewer (and its amount) in the column it left, one more in the column it joined
  function shift(fromList, toList, amount) {
    [[fromList, -1], [toList, 1]].forEach(function (pair) {
      var col = pair[0].closest(".kanban-col");
      var count = col.querySelector("[data-count]"), total = col.querySelector("[data-total]");
      count.textContent = Math.max(0, parseInt(count.textContent, 10) + pair[1]);
      var value = Math.max(0, parseFloat(total.dataset.total || "0") + pair[1] * amount);
      total.dataset.total = value.toFixed(2);
      total.textContent = money(value);
    });
  }

  function post(card, stage, reason, from) {
    card.classList.add("saving");
    var values = { stage: stage };
    if (reason) values.lost_reason = reason;
    var to = card.parentNode, amount = parseFloat(card.dataset.amount || "0"), failed = false;
    htmx.ajax("POST", card.dataset.moveUrl, { source: card, target: card, swap: "outerHTML", values: values })
      .then(function () { if (!failed) shift(from, to, amount); recount(); });
    card.addEventListener("htmx:responseError", function onErr(e) {
      failed = true;
      card.removeEventListener("htmx:responseError", onErr);
      card.classList.remove("saving");
      from.appendChild(card);
      showError(e.detail.xhr.responseText || "Error");
      recount();
    });
  }

  document.querySelectorAll(".kanban-list").forEach(function (list) {
    new Sortable(list, {
      group: "pipeline", animation: 120, forceFallback: true, fallbackOnBody: true, handle: ".kanban-card", filter: "a, .kanban-menu", preventOnFilter: false,
      draggable: ".kanban-card",
      onMove: function (evt) { return evt.dragged.dataset.stage !== "won"; },
      onEnd: function (evt) {
        if (evt.from === evt.to) return;
        moved(evt.item, evt.from);
      }
    });
  });

  // a card now sits in another column (dropped there, or put there from its "Move to" menu): save the move
  function moved(card, from) {
    var stage = card.parentNode.dataset.stage;
    errorBox.classList.add("d-none");
    if (stage === "lost") {
      pendingLost = { card: card, from: from };
      document.getElementById("lost-reason").value = "";
      lostModal.show();
      return;
    }
    post(card, stage, "", from);
  }

  // the card's "Move to" menu: what a drag does, by keyboard or by click
  document.addEventListener("click", function (e) {
    var item = e.target.closest("[data-move-to]");
    if (!item) return;
    var card = item.closest(".kanban-card");
    var list = document.querySelector(".kanban-list[data-stage='" + item.dataset.moveTo + "']");
    if (!card || !list) return;
    var from = card.parentNode;
    list.insertBefore(card, list.firstChild);
    recount();
    card.scrollIntoView({ block: "nearest", inline: "nearest" });
    moved(card, from);
  });

  document.getElementById("lost-ok").addEventListener("click", function () {
    var reason = document.getElementById("lost-reason").value.trim();
    if (!reason || !pendingLost) return;
    var p = pendingLost; pendingLost = null;
    lostModal.hide();
    post(p.card, "lost", reason, p.from);
  });
  document.getElementById("lost-modal").addEventListener("hidden.bs.modal", function () {
    if (pendingLost) { pendingLost.from.appendChild(pendingLost.card); pendingLost = null; recount(); }
  });
})();
