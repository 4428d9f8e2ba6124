// Page behaviour that templates used to write inline (onchange=, onsubmit=,
// javascript: links), which the Content-Security-Policy forbids.  Delegated
// from the document, so it also works in fragments htmx swaps in.
//   <select data-autosubmit>            submits its form when changed
//   <form data-confirm="Question?">     asks before submitting
//   <a href="…" data-back>              goes back in history (the href is the fallback)
//   <input type="checkbox" data-select-all="FORM-ID">
//                                       ticks every name="select" box of that form
//   <form data-copy-query="NAME">       on submit, its input NAME gets the page's current
//                                       query string (the list's filter, as htmx left it)
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.submit();
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (!all) {
    return;
  }
  const form = all.dataset.selectAll || "bulk-form";
  document
    .querySelectorAll(`input[name="select"][form="${form}"]`)
    .forEach((box) => {
      box.checked = all.checked;
    });
});

// The main menu's groups are <details data-navgroup>: one open at a time, and
// a click elsewhere or Escape closes it.
document.addEventListener("toggle", (event) => {
  const group = event.target;
  if (!(group instanceof HTMLDetailsElement) || !group.matches("[data-navgroup]") || !group.open) {
    return;
  }
  document.querySelectorAll("details[data-navgroup][open]").forEach((other) => {
    if (other !== group) {
      other.open = false;
    }
  });
}, true);

document.addEventListener("click", (event) => {
  if (!event.target.closest("details[data-navgroup]")) {
    document.querySelectorAll("details[data-navgroup][open]").forEach((group) => {
      group.open = false;
    });
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    document.querySelectorAll("details[data-navgroup][open]").forEach((group) => {
      group.open = false;
    });
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-copy-query]");
  const field = form && form.elements.namedItem(form.dataset.copyQuery);
  if (field) {
    field.value = window.location.search.replace(/^\?/, "");
  }
});
