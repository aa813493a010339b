"""Passkeys in headless Chromium, with Chromium's virtual authenticator (the
DevTools WebAuthn domain) standing in for a phone or security key: a parent
sets up a passkey as their way of signing in, signs out, and signs in again
with it; axe-core checks each page and no script is blocked by the
Content-Security-Policy. Where the browser has no WebAuthn API the passkey
option is not offered at all."""

from urllib.parse import urlparse

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from portal.audit.models import AuditEvent
from tests.e2e.axe import assert_accessible
from tests.portal.accounts.factories import PASSWORD, ParentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _relying_party(settings, live_server):
    """The live server's origin is http://localhost:PORT: a secure context for
    WebAuthn, with "localhost" as the relying party ID. Set before any page
    loads (the live server runs in this process and reads these per request)."""
    assert urlparse(live_server.url).hostname == "localhost"
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


@pytest.fixture
def authenticator(page):
    """A platform authenticator with user verification, as on a phone."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.disable")


def sign_in(page, email):
    page.goto("/account/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def test_a_parent_sets_up_a_passkey_and_signs_in_with_it(page, authenticator, console_errors):
    cdp, authenticator_id = authenticator
    parent = ParentFactory(full_name="Robin Example")

    # Signed in with a password only: choose how to confirm it is you.
    sign_in(page, parent.email)
    page.get_by_role("heading", name="How do you want to get security codes?").wait_for()
    # Shown by script once it finds the WebAuthn API.
    page.get_by_role("link", name="Set up a passkey").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Set up a passkey").click()

    page.get_by_role("heading", name="Set up a passkey").wait_for()
    page.get_by_role("button", name="Add a passkey").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Add a passkey").click()

    # The first factor comes with backup codes, shown once.
    page.get_by_role("heading", name="Save your backup codes").wait_for()
    assert "Passkey set up" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="I have saved my codes").click()
    page.get_by_role("heading", name="Your account").wait_for()

    [credential] = WebAuthnCredential.objects.filter(user=parent)
    assert credential.confirmed
    assert credential.name == "Passkey"
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(stored["credentials"]) == 1
    assert AuditEvent.objects.filter(
        action="accounts.factor_enrolled", data__factor="passkey"
    ).exists()

    # The passkey is listed with the other ways to sign in.
    page.goto("/account/two-factor/")
    assert "Passkey" in page.locator("main .govuk-summary-list").inner_text()
    assert_accessible(page)

    # Sign out and in again: the password is not enough; the passkey is.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="You have signed out").wait_for()
    sign_in(page, parent.email)
    page.get_by_role("heading", name="Check it is you", exact=True).wait_for()
    page.get_by_role("button", name="Use a passkey").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Use a passkey").click()

    page.get_by_role("heading", name="Your account").wait_for()
    assert urlparse(page.url).path == "/account/"
    assert "Robin Example" in page.locator("main").inner_text()
    assert_accessible(page)
    assert AuditEvent.objects.filter(
        action="accounts.verification_succeeded", data__factor="passkey"
    ).exists()
    # Nothing was blocked by the Content-Security-Policy on the way.
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_no_passkey_option_where_the_browser_has_no_webauthn(page):
    parent = ParentFactory()
    page.add_init_script("delete window.PublicKeyCredential;")

    sign_in(page, parent.email)
    page.get_by_role("heading", name="How do you want to get security codes?").wait_for()

    page.wait_for_load_state("load")  # module scripts have run by now
    assert page.get_by_label("Authenticator app").is_visible()
    assert page.get_by_role("link", name="Set up a passkey").count() == 0
    assert page.get_by_text("Set up a passkey").is_hidden()
    assert_accessible(page)
