// Keeps what was typed in an observation form in the phone while the connection is away.
// Values are saved in localStorage on every change and restored into an empty form; the page shown
// after a successful save clears them. The hidden submission id is kept too, so a form sent again after
// a lost connection is recognised by the server and stored once.
(function () {
  "use strict";
  var PREFIX = "trygg-offline:";

  function storage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && element.name !== "csrfmiddlewaretoken" && element.type !== "file" &&
        element.type !== "submit" && element.type !== "button";
    });
  }

  function save(store, key, form) {
    var values = {};
    fields(form).forEach(function (element) {
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked) { values[element.name] = element.value; }
      } else {
        values[element.name] = element.value;
      }
    });
    store.setItem(PREFIX + key, JSON.stringify(values));
  }

  function restore(store, key, form) {
    var raw = store.getItem(PREFIX + key);
    if (!raw) { return false; }
    var values;
    try { values = JSON.parse(raw); } catch (error) { return false; }
    fields(form).forEach(function (element) {
      if (!Object.prototype.hasOwnProperty.call(values, element.name)) { return; }
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values[element.name] === element.value;
      } else {
        element.value = values[element.name];
      }
    });
    return true;
  }

  function start() {
    var store = storage();
    if (!store) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-offline-sent]"), function (marker) {
      store.removeItem(PREFIX + marker.getAttribute("data-offline-sent"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-key]"), function (form) {
      var key = form.getAttribute("data-offline-key");
      var status = form.querySelector("[data-offline-status]");
      if (form.hasAttribute("data-offline-restore") && restore(store, key, form) && status) {
        status.textContent = status.getAttribute("data-restored-text") || "";
      }
      form.addEventListener("input", function () { save(store, key, form); });
      form.addEventListener("change", function () { save(store, key, form); });
      form.addEventListener("submit", function () { save(store, key, form); });
    });
    window.addEventListener("offline", function () {
      Array.prototype.forEach.call(document.querySelectorAll("[data-offline-status]"), function (status) {
        status.textContent = status.getAttribute("data-offline-text") || "";
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
