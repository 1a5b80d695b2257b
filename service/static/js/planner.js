// The planner's dialog: htmx loads a form into it; a saved session closes it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("session-dialog");
    if (!dialog || !window.htmx) return;
    var token = document.querySelector('meta[name="csrf-token"]');
    // Forms answer 409 and 422 with themselves, errors marked: show them.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(409|422)", swap: true },
      { code: "[45]..", swap: false, error: true },
    ];
    document.body.addEventListener("htmx:configRequest", function (event) {
      if (token) event.detail.headers["X-CSRFToken"] = token.content;
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target.id === "dialog-body" && !dialog.open) {
        dialog.showModal();
        var first = dialog.querySelector("input:not([type=hidden]), select, textarea");
        if (first) first.focus();
      }
    });
    document.body.addEventListener("session-saved", function () {
      dialog.close();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target.matches("[data-close-dialog]")) dialog.close();
    });
  });
})();
