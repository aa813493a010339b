// Passkeys as progressive enhancement (loaded as a file from this origin: the
// Content-Security-Policy allows no inline script).
//
// - Elements marked data-passkey-option start hidden and are shown only where
//   the browser has the WebAuthn API; without script or without the API the
//   page offers the other ways to sign in only.
// - When django-otp-webauthn's script has registered a passkey it fires
//   "otp_webauthn.register_complete" with the server's answer, which names the
//   page to go to next (the backup codes, or the list of ways to sign in).

if (typeof window.PublicKeyCredential === "function") {
  for (const element of document.querySelectorAll("[data-passkey-option]")) {
    element.hidden = false;
  }
}

document.addEventListener("otp_webauthn.register_complete", (event) => {
  const url = event.detail && event.detail.response && event.detail.response.redirect_url;
  if (url && url.startsWith("/") && !url.startsWith("//")) {
    window.location.assign(url);
  }
});
