/* The promise editor: a closed panel holds a link to the page with its form drawn (.editor-lazy, see
 * _lazy_form.html); when the panel is opened, the form is fetched from that page and put in the link's place.
 * Without JavaScript, or when the fetch fails, the link stays and opens that page. */
(function () {
  "use strict";

  function load(holder) {
    var link = holder.querySelector("a");
    if (!link || holder.dataset.loading) { return; }
    holder.dataset.loading = "1";
    fetch(link.href.split("#")[0], { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var form = new DOMParser().parseFromString(html, "text/html").getElementById(holder.dataset.form);
        if (!form) { throw new Error("the page has no " + holder.dataset.form); }
        holder.replaceWith(document.importNode(form, true));
      })
      .catch(function () { delete holder.dataset.loading; });
  }

  document.querySelectorAll(".editor-lazy[data-form]").forEach(function (holder) {
    var details = holder.closest("details");
    if (!details) { return; }
    details.addEventListener("toggle", function () { if (details.open) { load(holder); } });
    if (details.open) { load(holder); }
  });
})();
