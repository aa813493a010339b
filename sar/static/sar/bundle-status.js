// The staff case page's bundle status (sar/admin/bundle_status.html), kept up
// to date while the bundle is prepared: the fragment is fetched every few
// seconds and swapped in (it is a live region, so screen readers hear the
// progress); once the bundle is ready or has failed, the page reloads to show
// the whole section. Without this script the page says to refresh it.

const POLL_MS = 3000;

function pending(element) {
  return element && element.dataset.pending === "true";
}

async function poll(element) {
  let response;
  try {
    response = await fetch(element.dataset.url, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
  } catch {
    setTimeout(() => poll(element), POLL_MS * 2);
    return;
  }
  if (!response.ok) {
    return; // signed out, or the case is no longer visible: stop quietly
  }
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  const fresh = template.content.querySelector("[data-sar-bundle-status]");
  if (!fresh) {
    return;
  }
  if (!pending(fresh)) {
    window.location.reload();
    return;
  }
  element.innerHTML = fresh.innerHTML;
  setTimeout(() => poll(element), POLL_MS);
}

const status = document.querySelector("[data-sar-bundle-status]");
if (pending(status)) {
  setTimeout(() => poll(status), POLL_MS);
}
