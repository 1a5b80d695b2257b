// The header's language menu applies the language as soon as one is chosen; its
// button stays for browsers without scripts.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-applies-on-choice]");
    if (!form) return;
    var select = form.querySelector("select");
    var button = form.querySelector("button");
    if (button) button.hidden = true;
    if (select) {
      select.addEventListener("change", function () {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      });
    }
  });
})();
