"""A parent's whole first visit in headless Chromium: sign up, confirm the
email address, set up an authenticator app, sign out, sign in again, pass the
challenge and reach their account page, with axe-core finding nothing wrong on
any page on the way."""

import re
import time
from urllib.parse import urlparse

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "journey.parent@example.org"
PASSWORD = "a quiet walk by the river 21"


def continue_button(page):
    return page.get_by_role("button", name="Continue")


def test_sign_up_verify_enrol_sign_out_sign_in_challenge_dashboard(
    page, mailoutbox, console_errors
):
    # Sign up, after one mistake so the error summary is checked too.
    page.goto("/account/sign-up/")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Jordan Example")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm password").fill("not the same password")
    page.get_by_role("button", name="Create account").click()
    # Waits for the answer page: reading the title at once can catch the one being left.
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    assert "The passwords do not match" in summary.inner_text()
    assert_accessible(page)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page)

    # Confirm the email address from the link in the email.
    [message] = mailoutbox
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body).group(0)
    page.goto(urlparse(link).path)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm email address").click()

    # Sign in.
    page.get_by_role("heading", name="Sign in").wait_for()
    assert "Your email address is confirmed" in page.content()
    assert_accessible(page)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    continue_button(page).click()

    # Choose an authenticator app.
    page.get_by_role("heading", name="How do you want to get security codes?").wait_for()
    assert_accessible(page)
    page.get_by_label("Authenticator app").check()
    continue_button(page).click()

    # Set it up from the key shown as text, with an independent TOTP client.
    page.get_by_role("heading", name="Set up an authenticator app").wait_for()
    assert page.locator("svg.app-qr-code").count() == 1
    page.get_by_text("I cannot scan the QR code").click()
    assert_accessible(page)
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.get_by_label("Enter the 6-digit code from the app").fill(totp.now())
    continue_button(page).click()

    # Backup codes, shown once.
    page.get_by_role("heading", name="Save your backup codes").wait_for()
    assert page.locator(".app-backup-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("button", name="I have saved my codes").click()

    page.get_by_role("heading", name="Your account").wait_for()
    assert_accessible(page)

    # Sign out (a POST button in the navigation).
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="You have signed out").wait_for()
    assert_accessible(page)

    # Sign in again: the password is not enough, the challenge comes next.
    page.goto("/account/")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    continue_button(page).click()
    page.get_by_role("heading", name="Check it is you", exact=True).wait_for()
    assert_accessible(page)
    # The code used to set up is spent; the next time step's code is accepted.
    page.get_by_label("Security code").fill(totp.at(time.time() + totp.interval))
    continue_button(page).click()

    page.get_by_role("heading", name="Your account").wait_for()
    assert urlparse(page.url).path == "/account/"
    assert "Jordan Example" in page.locator("main").inner_text()
    assert_accessible(page)
    # No script or style was blocked by the Content-Security-Policy on the way.
    assert not [e for e in console_errors if "Content Security Policy" in e]
