/* Propulse progressive enhancement: confirmations, keyboard shortcuts, focus after htmx swaps.
   Loaded with `defer` after htmx; every listener is delegated on document, so content
   swapped in by htmx is covered without re-binding. */
(function () {
  "use strict";

  /* (a) data-confirm on a form or a button: ask before submitting. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) ||
      form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  /* A data-confirm button outside a form (e.g. hx-post on a button) is checked on click;
     buttons inside forms are checked on submit above, so they are not asked twice. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm]");
    if (!button || button.form) return;
    if (!window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  /* (b) Keyboard shortcuts: <a data-shortcut="n"> is clicked when "n" is pressed. */
  function isTyping(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || isTyping(document.activeElement)) return;
    if (!event.key || event.key.length !== 1) return;
    var key = event.key.toLowerCase();
    var targets = document.querySelectorAll("[data-shortcut]");
    for (var i = 0; i < targets.length; i++) {
      var element = targets[i];
      if ((element.getAttribute("data-shortcut") || "").toLowerCase() === key &&
          !element.disabled && element.getClientRects().length > 0) {
        event.preventDefault();
        element.click();
        return;
      }
    }
  });

  /* (c) After an htmx swap, focus the first [autofocus] element of the new content. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target ? event.detail.target : event.target;
    if (!target || !target.querySelector) return;
    var element = target.matches("[autofocus]") ? target : target.querySelector("[autofocus]");
    if (element && typeof element.focus === "function") element.focus();
  });
})();
