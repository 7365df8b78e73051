// The order form, keyboard first. Every change is priced live by the server (htmx on #order-entry: each line's
// price, VAT, total and stock, the document totals, a line's units when its product changes). Here only the keys:
// Enter moves to the next field of a line (the unit, preselected, is skipped: Tab reaches it); Enter on the last
// field adds a line; a code scanned or typed into the product field with Enter picks its product (quantity one
// pack) and opens the next line; Ctrl+Enter saves. Choosing the customer fills the receiver, phone, address,
// terms and e-mail left empty, shows the price level, and goes to the first line.
// Typing at full speed loses no key: choosing a product moves the focus to the quantity at once (inside the
// picker's own event, before the next key is read), and keys typed while the focus is on its way (a scanned code
// being looked up, the focused unit list being replaced by the live pricing) are held and replayed, in order,
// into the field that then has the focus.
(function () {
  "use strict";
  var entry = document.getElementById("order-entry"), table = document.getElementById("lines");
  if (!entry || !table) return;
  var form = document.getElementById("order-form"), total = document.getElementById("id_lines-TOTAL_FORMS");
  var FIELDS = ["product", "unit", "quantity", "discount_percent", "unit_price"];

  function style(root) {
    root.querySelectorAll("select, input:not([type=hidden])").forEach(function (el) {
      if (!el.closest(".ts-wrapper")) el.classList.add(el.tagName === "SELECT" ? "form-select" : "form-control");
    });
  }
  function rows() { return Array.prototype.slice.call(table.querySelectorAll("tbody tr.line-row")); }
  function rowIndex(row) { return rows().indexOf(row); }
  function field(row, name) { return row.querySelector("[name$='-" + name + "']"); }
  function refresh() { htmx.trigger(entry, "change"); }

  function focusProduct(row) {
    var sel = field(row, "product");
    if (sel && sel.tomselect) { focusPicker(sel); } else if (sel) { sel.focus(); }
  }
  function focusField(row, name) {
    if (name === "product") { focusProduct(row); return; }
    var el = field(row, name);
    if (el) { el.focus(); if (el.select) el.select(); }
  }

  // keys typed while the focus is in transit: held, then replayed where it lands
  var transit = null;
  function hold() { if (!transit) transit = {keys: []}; }
  function typeInto(el, key) {
    if (key === "Enter" || key === "Tab") {
      var ev = new KeyboardEvent("keydown", {key: key, keyCode: key === "Enter" ? 13 : 9, bubbles: true, cancelable: true});
      if (el.dispatchEvent(ev) && key === "Tab") {  // nothing took the Tab: the next field, as the browser would
        var all = Array.prototype.slice.call(form.querySelectorAll("input:not([type=hidden]), select, textarea"))
          .filter(function (x) { return x.offsetParent !== null && !x.disabled; });
        var next = all[all.indexOf(el) + 1];
        if (next) next.focus();
      }
      return;
    }
    if (el.tagName === "SELECT" || !("value" in el)) return;
    if (key === "Backspace") { el.value = el.value.slice(0, -1); }
    else {
      var a = el.selectionStart, b = el.selectionEnd;
      if (a == null || b == null) { el.value += key; }
      else { el.value = el.value.slice(0, a) + key + el.value.slice(b); el.setSelectionRange(a + 1, a + 1); }
    }
    el.dispatchEvent(new Event("input", {bubbles: true}));
  }
  // a picker takes the focus in two steps (its search box now, its own state after a timer): a key typed in
  // between is lost, so keys are held until both are done
  function focusPicker(sel) {
    hold();
    sel.tomselect.focus();
    setTimeout(function () { land(null); }, 0);
  }
  function land(el) {
    if (el && el.tomselect) { focusPicker(el); return; }
    var t = transit;
    transit = null;
    if (el) { el.focus(); if (el.select) el.select(); }
    if (!t) return;
    t.keys.forEach(function (key) {
      if (transit) { transit.keys.push(key); return; }  // a replayed Enter set off another lookup: wait for it
      typeInto(document.activeElement, key);
    });
  }
  window.addEventListener("keydown", function (e) {
    if (!transit || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key.length !== 1 && ["Enter", "Tab", "Backspace"].indexOf(e.key) < 0) return;
    e.preventDefault(); e.stopImmediatePropagation();
    transit.keys.push(e.key);
  }, true);

  function addLine() {
    var n = parseInt(total.value, 10), all = rows(), tpl = all[all.length - 1];
    var row = tpl.cloneNode(true);
    row.querySelectorAll(".ts-wrapper, .invalid-feedback").forEach(function (w) { w.remove(); });
    row.querySelectorAll("[id]").forEach(function (el) { el.id = el.id.replace(/lines-\d+-|line-\d+-/, function (m) { return m.replace(/\d+/, n); }); });
    row.dataset.testid = "line-" + n;
    row.querySelectorAll("select, input").forEach(function (el) {
      el.name = el.name.replace(/lines-\d+-/, "lines-" + n + "-");
      el.classList.remove("tomselected", "ts-hidden-accessible");
      delete el.dataset.bound;  // the copy of a bound picker is a new picker: bind it
      el.removeAttribute("tabindex");
      if (el.tagName === "SELECT") { el.style.display = ""; el.innerHTML = "<option value=\"\">---------</option>"; }
      else { el.value = ""; }
    });
    row.querySelectorAll(".line-figures").forEach(function (d) { d.innerHTML = ""; });
    tpl.parentNode.appendChild(row);
    total.value = n + 1;
    window.ERP.initPickers(row);
    bindRow(row);
    return row;
  }
  function nextRow(row) {
    var all = rows(), i = rowIndex(row);
    return i < all.length - 1 ? all[i + 1] : addLine();
  }

  function setProduct(row, id, text) {
    var sel = field(row, "product");
    if (sel.tomselect) {
      sel.tomselect.addOption({id: String(id), text: text});
      sel.tomselect.setValue(String(id), true);
    } else { sel.innerHTML = "<option value=\"" + id + "\" selected></option>"; }
    sel.dispatchEvent(new Event("change", {bubbles: true}));
  }

  // a code typed or scanned into the product field, Enter before any option is offered: look it up exactly
  // (the next scan may follow at once: its keys are held until this one has its line)
  function byCode(row, code) {
    hold();
    fetch(entry.dataset.codeUrl + "?code=" + encodeURIComponent(code), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (!j.ok) { land(field(row, "product")); return; }
        row.dataset.scanned = "1";  // picked by a scan: the focus goes on to the next line, not to the quantity
        setProduct(row, j.id, j.text);
        var q = field(row, "quantity");
        if (!q.value) q.value = j.quantity;
        refresh();
        land(field(nextRow(row), "product"));
      })
      .catch(function () { land(field(row, "product")); });
  }

  function bindRow(row) {
    var sel = field(row, "product");
    if (!sel || !sel.tomselect || sel.dataset.bound) return;
    sel.dataset.bound = "1";
    var ts = sel.tomselect;
    ts.on("item_add", function () {
      if (row.dataset.scanned) { delete row.dataset.scanned; return; }
      // on to the quantity now, inside this event: a timer would run only after keys already typed (the browser
      // reads input before timers), and they would land in the picker. Not when the focus has left this line.
      if (row.contains(document.activeElement)) focusField(row, "quantity");
    });
    ts.control_input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      var typed = ts.control_input.value.trim(), active = ts.isOpen && ts.activeOption;
      // an offered product whose text begins with what was typed (its SKU) is picked by Tom Select; anything
      // else typed (a barcode from the scanner, a pack's code) is looked up exactly
      var offered = active && active.dataset.value && active.textContent.toUpperCase().indexOf(typed.toUpperCase()) === 0;
      if (typed && !offered) {
        e.preventDefault(); e.stopImmediatePropagation();
        // Tom Select's own search of what was typed is still pending: keep it from reopening (and taking the
        // focus back to) this line while the scan moves on to the next
        var open = ts.open;
        ts.open = function () {};
        setTimeout(function () { ts.open = open; }, 600);
        ts.close(); ts.setTextboxValue(""); byCode(row, typed);
        return;
      }
      if (!typed && ts.items.length) { e.preventDefault(); focusField(row, "quantity"); }
    }, true);
  }

  table.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.ctrlKey || e.target.closest(".ts-wrapper")) return;
    var row = e.target.closest("tr.line-row");
    if (!row) return;
    e.preventDefault();
    var name = (e.target.name || "").replace(/^lines-\d+-/, ""), i = FIELDS.indexOf(name);
    if (i < 0 || i === FIELDS.length - 1) { focusProduct(nextRow(row)); return; }
    focusField(row, FIELDS[i + 1]);
  });

  // Enter in the header moves on too (a textarea keeps its new lines); Ctrl+Enter saves from anywhere
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    if (e.ctrlKey || e.metaKey) { e.preventDefault(); form.requestSubmit(); return; }
    var t = e.target;
    if (t.closest(".ts-wrapper")) { e.preventDefault(); return; }  // a picker's Enter picks; it never saves
    if (t.closest("#lines") || t.tagName === "TEXTAREA" || t.tagName === "BUTTON") return;
    if (t.tagName === "INPUT" || t.tagName === "SELECT") {
      e.preventDefault();
      var all = Array.prototype.slice.call(form.querySelectorAll("input:not([type=hidden]), select, textarea"))
        .filter(function (el) { return el.offsetParent !== null && !el.disabled; });
      var next = all[all.indexOf(t) + 1];
      if (next) next.focus();
    }
  });

  // an equivalent offered for a short line replaces the line's product
  table.addEventListener("click", function (e) {
    var b = e.target.closest("[data-use-product]");
    if (!b) return;
    var row = rows()[parseInt(b.dataset.row, 10)];
    if (row) { setProduct(row, b.dataset.useProduct, b.dataset.useText); refresh(); focusField(row, "quantity"); }
  });

  // the customer fills what is left empty in the header, and the price level shows
  function customerChosen(id) {
    if (!id) return;
    fetch(entry.dataset.defaultsUrl + "?customer=" + encodeURIComponent(id), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (!j.ok) return;
        ["contact_name", "contact_phone", "delivery_address", "payment_terms_days", "customer_email"].forEach(function (k) {
          var el = form.querySelector("[name=" + k + "]");
          if (el && !el.value && j[k] !== "" && j[k] != null) el.value = j[k];
        });
        var badge = document.getElementById("price-level");
        if (j.level_label) { badge.textContent = j.level_label; badge.hidden = false; } else { badge.hidden = true; }
        focusProduct(rows()[0]);
      });
  }

  // the live pricing replaces a line's unit list when its product changes: if that list had the focus, keys typed
  // meanwhile are held and the focus goes to the new list
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var target = e.detail && e.detail.target, active = document.activeElement;
    if (target && active && active !== document.body && target.contains(active) && active.name) {
      entry.dataset.refocus = active.name;
      hold();
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    var name = entry.dataset.refocus;
    if (!name) return;
    delete entry.dataset.refocus;
    style(table);
    land(form.querySelector("[name='" + name + "']"));
  });

  document.getElementById("add-line").addEventListener("click", function () { focusProduct(addLine()); });
  document.addEventListener("DOMContentLoaded", function () {
    style(table);
    rows().forEach(bindRow);
    var cust = form.querySelector("select[name=customer]");
    if (cust) {
      cust.addEventListener("change", function () { customerChosen(cust.value); });
      if (cust.value && !form.querySelector("[name=contact_name]").value) customerChosen(cust.value);
    }
  });
})();
