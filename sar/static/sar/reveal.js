// Conditionally revealed questions under GOV.UK radios and checkboxes
// (sar/forms/choices.html marks each option with data-app-reveal="<id>").
//
// GOV.UK Frontend's own reveal sets aria-expanded on the radio or checkbox,
// which ARIA does not allow on those roles (axe-core: aria-allowed-attr; a
// known issue, alphagov/govuk-frontend#979). This does the same showing and
// hiding without it: the revealed question comes straight after its option
// in the page, so it is the next thing read. Without this script (or without
// GOV.UK Frontend support) every revealed question is simply shown.

const HIDDEN = {
  radio: "govuk-radios__conditional--hidden",
  checkbox: "govuk-checkboxes__conditional--hidden",
};

function sync(form) {
  for (const input of form.querySelectorAll("input[data-app-reveal]")) {
    const target = document.getElementById(input.dataset.appReveal);
    if (target) {
      target.classList.toggle(HIDDEN[input.type], !input.checked);
    }
  }
}

for (const form of document.querySelectorAll("form")) {
  if (form.querySelector("input[data-app-reveal]")) {
    sync(form);
    form.addEventListener("change", () => sync(form));
    // GOV.UK Frontend unticks the other checkboxes when an exclusive one
    // ("none of these") is ticked, without a change event: sync after clicks.
    form.addEventListener("click", () => window.setTimeout(() => sync(form), 0));
    window.addEventListener("pageshow", () => sync(form));
  }
}
