// "Print this page": a button that opens the browser's print dialogue. The
// template leaves it hidden, so people without JavaScript see no dead control.
for (const button of document.querySelectorAll('[data-module="app-print-link"]')) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
