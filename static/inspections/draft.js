/* Keeps a half-filled patrol form in this browser (localStorage) per compound and day, so
   a dropped connection or a closed tab loses nothing. Photos cannot be kept: the notice
   says so and the clerk re-selects them. The draft is cleared when the record's page
   shows it was filed. A checklist row marked 存在问题 pre-fills the hazard's category. */
(function () {
  "use strict";
  var PREFIX = "inspections-draft:";
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  var store = storage();
  if (!store) { return; }

  document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
    store.removeItem(PREFIX + el.getAttribute("data-clear-draft"));
  });

  var form = document.getElementById("patrol-form");
  if (!form) { return; }
  var key = PREFIX + form.getAttribute("data-draft-key");
  var notice = document.getElementById("draft-notice");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "file" &&
        el.type !== "submit" && el.type !== "button";
    });
  }

  function save() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } }
      else if (el.type === "checkbox") { data[el.name] = el.checked; }
      else { data[el.name] = el.value; }
    });
    data._saved = new Date().toISOString();
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* quota: ignore */ }
  }

  function restore() {
    var raw = store.getItem(key);
    if (!raw) { return false; }
    var data;
    try { data = JSON.parse(raw); } catch (e) { store.removeItem(key); return false; }
    fields().forEach(function (el) {
      if (!(el.name in data)) { return; }
      if (el.type === "radio") { el.checked = el.value === data[el.name]; }
      else if (el.type === "checkbox") { el.checked = !!data[el.name]; }
      else { el.value = data[el.name]; }
    });
    return true;
  }

  // A form sent back by the server with errors already holds what was typed.
  var hasErrors = form.querySelector(".error, .alert-error");
  if (!hasErrors && restore() && notice) {
    notice.hidden = false;
  }
  // 存在问题 on a checklist row: the hazard below is most likely of that category.
  var category = form.querySelector("[name=hazard_category]");
  var found = form.querySelector("[name=hazard_found]");
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.type !== "radio" || el.value !== "issue" || !el.checked || !category) { return; }
    var option = category.querySelector("option[value='" + el.name + "']");
    if (!option || category.value) { return; }
    category.value = el.name;
    if (found && !found.checked) {
      found.checked = true;
      found.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  var discard = document.getElementById("draft-discard");
  if (discard) {
    discard.addEventListener("click", function () {
      store.removeItem(key);
      window.location.reload();
    });
  }
})();
