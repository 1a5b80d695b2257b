// The matching review: accepting or setting aside swaps one row (htmx), so the page
// keeps its scroll position; a refused change comes back as the row with its reason.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.htmx) return;
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(409|422)", swap: true },
      { code: "[45]..", swap: false, error: true },
    ];
    document.body.addEventListener("htmx:afterSwap", function (event) {
      // The button pressed was replaced: keep the keyboard where it was.
      var row = document.getElementById(event.detail.target.id);
      if (!row || row.id.indexOf("proposal-") !== 0) return;
      var next = row.querySelector("[role=alert]") ? row.querySelector("[role=alert]") : row.querySelector("button");
      if (next) {
        if (!next.matches("button")) next.setAttribute("tabindex", "-1");
        next.focus({ preventScroll: true });
      }
    });
  });
})();
