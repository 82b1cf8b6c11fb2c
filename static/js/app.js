/* Page behaviour that would otherwise be inline attributes: the Content-Security-Policy runs no
   inline script (no onchange=, no hx-trigger filters, which htmx would have to eval). */
"use strict";

// The organisation switcher submits as soon as another organisation is chosen.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("select[data-submit-on-change]") && field.form) {
    field.form.requestSubmit();
  }
});

// A new API token's field selects its whole value when focused, ready to copy.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
});

// Typing in an answer's text fields saves it after a pause: the form listens for
// "answer-typed" (hx-trigger="change, answer-typed delay:900ms"); selects save on change.
document.addEventListener("input", (event) => {
  const field = event.target;
  if (field.tagName === "TEXTAREA" && field.form && field.form.hasAttribute("data-autosave")) {
    field.form.dispatchEvent(new CustomEvent("answer-typed"));
  }
});
