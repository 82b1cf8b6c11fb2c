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

// --- The fill page's keyboard (press ? on the page for the list) -------------------------------
// Keys act on the current question: the one holding the focus, else the first on the page.
// They never fire while typing in a text field; Escape leaves the field for its question.
const SHORTCUT_ANSWERS = { y: "Yes", n: "No", a: "NA" };

function questions() {
  return Array.from(document.querySelectorAll("article.answer"));
}

function currentQuestion() {
  const active = document.activeElement;
  return (active && active.closest("article.answer")) || questions()[0] || null;
}

function focusQuestion(article) {
  if (!article) return;
  const field = article.querySelector("select[name=answer]") || article;
  field.focus();
  article.scrollIntoView({ block: "start", behavior: "instant" });
}

function moveTo(offset, onlyUnanswered) {
  const all = questions();
  const here = all.indexOf(currentQuestion());
  for (let i = here + offset; i >= 0 && i < all.length; i += offset) {
    const answer = all[i].querySelector("select[name=answer]");
    if (!onlyUnanswered || (answer && answer.value === "")) {
      focusQuestion(all[i]);
      return true;
    }
  }
  return false;
}

function choose(article, name, value) {
  const select = article.querySelector(`select[name=${name}]`);
  if (!select || select.disabled || select.closest("fieldset[disabled]")) return;
  if (typeof value === "number") {
    const option = select.options[value]; // options[0] is the empty choice
    if (!option) return;
    value = option.value;
  }
  if (select.value !== value) {
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true })); // saves (hx-trigger="change")
  }
  select.focus();
}

function press(article, selector) {
  const button = article.querySelector(selector);
  if (button && !button.disabled) {
    button.click();
    return true;
  }
  return false;
}

function toggleShortcuts() {
  const dialog = document.getElementById("shortcuts");
  if (!dialog) return;
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

// Panels whose content is fetched the first time they open: a <details> holding an
// <a data-load> (what it shows without script), which the fetched fragment replaces. The fill
// page's chart and each card's answer library; "l" opens the current question's library and
// puts the focus on its first "Use this answer" (or on the panel, when there is none).
const panelLoads = new WeakMap(); // panel -> its one request, shared by whoever asks
function loadPanel(panel) {
  if (!panelLoads.has(panel)) {
    const link = panel.querySelector("a[data-load]");
    // htmx may not have wired the new content's forms when its promise resolves: wire them
    // then, or an Enter at once would post a form without htmx (a full page load).
    panelLoads.set(
      panel,
      link && window.htmx
        ? htmx
            .ajax("GET", link.getAttribute("href"), { target: link, swap: "outerHTML" })
            .then(() => htmx.process(panel))
        : Promise.resolve(),
    );
  }
  return panelLoads.get(panel);
}

document.addEventListener(
  "toggle",
  (event) => {
    const panel = event.target;
    if (panel.open && panel.querySelector && panel.querySelector(":scope > a[data-load]")) {
      loadPanel(panel);
    }
  },
  true, // toggle does not bubble: listen as it goes down
);

function openLibrary(article) {
  const panel = article.querySelector("details.library");
  if (!panel) return;
  const focusFirst = () => {
    const button = panel.querySelector("[data-action=reuse]");
    (button || panel.querySelector("summary")).focus();
  };
  panel.open = true;
  loadPanel(panel).then(focusFirst);
}

document.addEventListener("keydown", (event) => {
  if (!document.querySelector("article.answer")) return;
  const target = event.target;
  const typing = target.matches("textarea, input:not([type=hidden]):not([type=checkbox])");
  if (event.key === "Escape" && typing && target.closest("article.answer")) {
    target.blur(); // a changed text field saves on change
    focusQuestion(target.closest("article.answer"));
    event.preventDefault();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.matches("select") && !target.closest("article.answer")) return;
  const article = currentQuestion();
  const key = event.key;
  let handled = true;
  if (key === "?") toggleShortcuts();
  else if (key === "j") moveTo(1, false);
  else if (key === "k") moveTo(-1, false);
  else if (key === "u") moveTo(1, true) || moveTo(-questions().length, true);
  else if (!article) handled = false;
  else if (key in SHORTCUT_ANSWERS) choose(article, "answer", SHORTCUT_ANSWERS[key]);
  else if (/^[1-5]$/.test(key)) choose(article, "ssrm", Number(key));
  else if (key === "e") {
    const field = article.querySelector("textarea[name=implementation]");
    if (field && !field.disabled && !field.closest("fieldset[disabled]")) field.focus();
  } else if (key === "l") openLibrary(article);
  else if (key === "r") {
    // Queued behind the question's save (hx-sync on the question), then on to the next one.
    if (press(article, "[data-action=ready]")) moveTo(1, false);
  } else if (key === "p") press(article, "[data-action=approve]");
  else handled = false;
  if (handled) event.preventDefault();
});
