/* 中原区老旧小区整治改造平台 — the site's own behaviour, no framework.
   Loaded in <head> on every page (no inline script: the CSP allows only 'self').
   1. The menu button: on a phone (or whenever the bar does not fit) the navigation opens
      from it, the role's daily tasks first, every section with its pages.
   2. Busy states: a form that posts (or any form or link marked data-busy) cannot be sent
      twice; its button says 处理中… until the next page arrives (data-busy="…" names
      another text, data-busy="off" opts a form out).
   3. A form sent back with errors: the summary at its top takes the focus. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  var BUSY_TEXT = "处理中…";

  /* --- 1. navigation ------------------------------------------------------------------ */
  function setUpMenu() {
    var bar = document.querySelector("[data-topbar]");
    var toggle = bar && bar.querySelector("[data-menu-toggle]");
    var nav = bar && bar.querySelector(".mainnav");
    if (!toggle || !nav) { return; }

    function setOpen(open) {
      bar.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      setOpen(!bar.classList.contains("open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("open")) {
        setOpen(false);
        toggle.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (bar.classList.contains("open") && !bar.contains(event.target)) { setOpen(false); }
    });

    // At desk widths the bar is a row; when the row does not fit (a narrow window, many
    // sections) it collapses into the menu too, so nothing is ever cut off.
    // First a tighter row (no brand text, narrower tabs), then the menu.
    function overflows() {
      var list = nav.querySelector(".nav-list");
      return (list && list.scrollWidth > nav.clientWidth + 1) || bar.scrollWidth > bar.clientWidth + 1;
    }
    function fit() {
      if (bar.classList.contains("open")) { return; }
      bar.classList.remove("collapsed", "compact");
      if (window.getComputedStyle(nav).display === "none") { return; }
      if (!overflows()) { return; }
      bar.classList.add("compact");
      if (overflows()) { bar.classList.add("collapsed"); }
    }
    fit();
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.cancelAnimationFrame(pending); }
      pending = window.requestAnimationFrame(fit);
    });
  }

  /* --- 2. busy states ----------------------------------------------------------------- */
  function markBusy(control, text) {
    if (control.hasAttribute("data-busy-label")) { return; }
    var label = control.tagName === "INPUT" ? control.value : control.textContent;
    control.setAttribute("data-busy-label", label);
    if (control.tagName === "INPUT") { control.value = text; } else { control.textContent = text; }
    control.classList.add("is-busy");
    control.setAttribute("aria-disabled", "true");
  }

  function clearBusy(control) {
    if (!control.hasAttribute("data-busy-label")) { return; }
    var label = control.getAttribute("data-busy-label");
    if (control.tagName === "INPUT") { control.value = label; } else { control.textContent = label; }
    control.removeAttribute("data-busy-label");
    control.classList.remove("is-busy");
    control.removeAttribute("aria-disabled");
    control.disabled = false;
  }

  function busyText(el) {
    var value = el.getAttribute("data-busy");
    return value && value !== "on" ? value : BUSY_TEXT;
  }

  function watchesBusy(form) {
    if (form.getAttribute("data-busy") === "off") { return false; }
    return form.hasAttribute("data-busy") || (form.getAttribute("method") || "").toLowerCase() === "post";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !watchesBusy(form)) { return; }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();  // a second tap while the first is on its way
      return;
    }
    form.setAttribute("aria-busy", "true");
    var submitter = event.submitter;
    var text = busyText(form);
    var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
    // Disabled only after this event: a disabled submitter would drop its name=value.
    window.setTimeout(function () {
      Array.prototype.forEach.call(buttons, function (button) {
        if (button === submitter || buttons.length === 1) {
          markBusy(button, submitter && submitter.hasAttribute("data-busy") ? busyText(submitter) : text);
        }
        button.disabled = true;
      });
    }, 0);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-busy]");
    if (!link) { return; }
    if (link.classList.contains("is-busy")) { event.preventDefault(); return; }
    markBusy(link, busyText(link));
  });

  // Back to a page kept in the browser's cache: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[aria-busy=true]"), function (form) {
      form.removeAttribute("aria-busy");
      Array.prototype.forEach.call(form.querySelectorAll("[disabled]"), function (el) {
        if (el.hasAttribute("data-busy-label") || el.type === "submit") { el.disabled = false; }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-busy-label]"), clearBusy);
  });

  /* --- 3. a form sent back with errors: its summary is the first thing read -------- */
  function showErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  function ready() {
    setUpMenu();
    showErrorSummary();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
