// Printing without inline script (the Content-Security-Policy allows none): a button
// with `data-print` opens the print dialog, and a page whose <body> has
// `data-print-on-load` opens it as soon as the page has loaded.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  window.addEventListener("load", function () {
    if (document.body.hasAttribute("data-print-on-load")) {
      window.print();
    }
  });
})();
