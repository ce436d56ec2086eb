// jianfu: small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // The message a submission asks to confirm, or "": the button's
  // data-confirm, else the form's, else that of a checkbox the user has just
  // ticked (disabling a unit or a user). {name} is replaced by the value of
  // the form's field of that name (e.g. the deadline typed beside 下达).
  function confirmation(form, button) {
    var msg = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm") || "";
    if (!msg) {
      var boxes = form.querySelectorAll("input[data-confirm]");
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].checked && !boxes[i].defaultChecked) {
          msg = boxes[i].getAttribute("data-confirm");
          break;
        }
      }
    }
    return msg.replace(/\{([a-z_]+)\}/g, function (all, name) {
      var f = form.elements[name];
      return f && f.value ? f.value : all;
    });
  }

  // Busy state: a form that starts work is sent once; its buttons are
  // disabled and the one pressed says 处理中… until the next page. A GET
  // form (filters, searches) and one opening elsewhere are left alone.
  function busy(form, button) {
    var buttons = form.querySelectorAll("button, input[type=submit]");
    for (var i = 0; i < buttons.length; i++) {
      var b = buttons[i];
      if (b.disabled) continue;
      b.disabled = true;
      b.setAttribute("data-busy", "");
      b.setAttribute("aria-busy", "true");
      if (b === button) {
        b.setAttribute("data-label", b.textContent);
        b.textContent = document.documentElement.lang === "en" ? "Working…" : "处理中…";
      }
    }
  }

  // restore undoes busy for pages shown again from the back-forward cache.
  function restore() {
    var forms = document.querySelectorAll("[data-busy-form]");
    for (var i = 0; i < forms.length; i++) forms[i].removeAttribute("data-busy-form");
    var buttons = document.querySelectorAll("[data-busy]");
    for (var j = 0; j < buttons.length; j++) {
      var b = buttons[j];
      b.disabled = false;
      b.removeAttribute("data-busy");
      b.removeAttribute("aria-busy");
      if (b.hasAttribute("data-label")) {
        b.textContent = b.getAttribute("data-label");
        b.removeAttribute("data-label");
      }
    }
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var button = e.submitter || null;
    var msg = confirmation(form, button);
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
      return;
    }
    if (e.defaultPrevented || (form.method || "get").toLowerCase() !== "post" || form.target) return;
    if (form.hasAttribute("data-busy-form")) {
      // A second submit while the first is under way.
      e.preventDefault();
      return;
    }
    form.setAttribute("data-busy-form", "");
    // After the browser has taken the form's values (a disabled button's
    // name and value would not be sent), so a tick later. A form answered
    // with a download leaves the page in place: it is usable again after a
    // while.
    window.setTimeout(function () { busy(form, button); }, 0);
    window.setTimeout(restore, 30000);
  });

  window.addEventListener("pageshow", restore);

  // Tables shown as cards on a phone (class "cards"): every cell without a
  // data-label takes its column's heading, and the heading's class "key"
  // (the card's title) is copied to the cell.
  function labelCards() {
    var tables = document.querySelectorAll("table.cards");
    for (var t = 0; t < tables.length; t++) {
      var heads = tables[t].querySelectorAll("thead th");
      var rows = tables[t].tBodies.length ? tables[t].tBodies[0].rows : [];
      for (var r = 0; r < rows.length; r++) {
        var col = 0;
        for (var c = 0; c < rows[r].cells.length; c++) {
          var cell = rows[r].cells[c];
          var th = heads[col];
          col += cell.colSpan || 1;
          if (!th || cell.hasAttribute("data-label")) continue;
          cell.setAttribute("data-label", th.textContent.trim());
          if (th.classList.contains("key")) {
            cell.classList.add("key");
            tables[t].classList.add("keyed");
          }
        }
      }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", labelCards);
  else labelCards();

  // A table or chart wider than the screen scrolls sideways; keyboard users
  // reach it with Tab and scroll it with the arrow keys (WCAG 2.1.1).
  function scrollables() {
    var boxes = document.querySelectorAll("table.data, .chartbox, .scroll");
    for (var i = 0; i < boxes.length; i++) {
      var b = boxes[i];
      if (b.scrollWidth > b.clientWidth + 1) {
        if (!b.hasAttribute("tabindex")) b.setAttribute("tabindex", "0");
      } else if (b.getAttribute("tabindex") === "0") {
        b.removeAttribute("tabindex");
      }
    }
  }
  scrollables();
  window.addEventListener("resize", scrollables);
})();
