"""Passkeys (django-otp-webauthn) wired into the portal's factor rules: the
settings, where the option is offered, the checks around the library's
ceremony views and the session they leave, removal, and the staff admin gate.

The signature checks are the library's own: here its helper is replaced at
that boundary (``WebAuthnHelper.register_complete`` / ``authenticate_complete``);
tests/e2e/test_passkeys.py signs for real with Chromium's virtual authenticator.
"""

import json
import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from portal.accounts import factors
from portal.accounts.decorators import with_next
from portal.audit.models import AuditEvent
from tests.portal.accounts.factories import (
    ParentFactory,
    add_backup_codes,
    add_passkey,
    add_totp,
    sign_in_password_only,
    sign_in_verified,
)
from tests.portal.test_settings import _production_env, _run

pytestmark = pytest.mark.django_db

CHALLENGE = reverse("accounts:challenge")
DASHBOARD = reverse("accounts:dashboard")
FACTORS = reverse("accounts:factors")
ENROL = reverse("accounts:enrol")
REGISTER_BEGIN = reverse("otp_webauthn:credential-registration-begin")
REGISTER_COMPLETE = reverse("otp_webauthn:credential-registration-complete")
AUTH_BEGIN = reverse("otp_webauthn:credential-authentication-begin")
AUTH_COMPLETE = reverse("otp_webauthn:credential-authentication-complete")
# Scripts on a page: those the browser runs (not JSON data blocks).
RUNNABLE_SCRIPT = re.compile(r"<script(?![^>]*application/json)([^>]*)>", re.IGNORECASE)


def post_json(client, url, **query):
    if query:
        url = f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
    return client.post(url, data="{}", content_type="application/json")


def is_verified(client):
    return client.get(DASHBOARD).status_code == 200


@pytest.fixture
def signs_as(monkeypatch):
    """Stand in for the authenticator's signature check: the library's helper
    answers with ``device`` (or raises ``error``) as if it had verified it."""

    def configure(*, device=None, error=None):
        def authenticate_complete(self, user, state, data):
            if error is not None:
                raise error
            return device

        monkeypatch.setattr(WebAuthnHelper, "authenticate_complete", authenticate_complete)

    return configure


@pytest.fixture
def registers(monkeypatch):
    """Stand in for the attestation check: the library's helper saves a new
    passkey for the person as it does after verifying one."""

    def register_complete(self, user, state, data):
        return add_passkey(user)

    monkeypatch.setattr(WebAuthnHelper, "register_complete", register_complete)


# Settings ----------------------------------------------------------------------


def test_the_relying_party_is_the_host_of_base_url_and_origins_include_trusted_ones():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.OTP_WEBAUTHN_RP_ID, s.OTP_WEBAUTHN_RP_NAME, "
        "s.OTP_WEBAUTHN_ALLOWED_ORIGINS, s.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN]))"
    )
    env = _production_env(
        BASE_URL="https://Records.Example.org/",
        CSRF_TRUSTED_ORIGINS="https://records.example.org,https://portal.records.example.org",
        SERVICE_NAME="Example SENDIASS",
    )

    result = _run(["-c", script], env)

    assert result.returncode == 0, result.stderr
    rp_id, rp_name, origins, passwordless = json.loads(result.stdout.strip().splitlines()[-1])
    assert rp_id == "records.example.org"
    assert rp_name == "Example SENDIASS"
    assert origins == ["https://records.example.org", "https://portal.records.example.org"]
    # A passkey is a second factor only: never a way in without the password.
    assert passwordless is False


def test_the_librarys_configuration_checks_pass():
    problems = [m for m in run_checks() if m.id.startswith("otp_webauthn.")]

    assert problems == []


# Where passkeys are offered -----------------------------------------------------


def test_enrolment_offers_a_passkey_hidden_until_script_finds_webauthn(client, parent):
    sign_in_password_only(client, parent)

    html = client.get(ENROL).content.decode()

    assert re.search(r"<div data-passkey-option hidden>", html)
    assert with_next("accounts:enrol_passkey", DASHBOARD) in html
    assert '<script type="module" src="/static/accounts/passkeys.js"></script>' in html
    # The codes stay ordinary radios that work without script.
    assert 'value="app"' in html and 'value="email"' in html


def test_the_passkey_page_loads_the_librarys_script_from_this_origin_with_json_settings(
    client, parent
):
    sign_in_password_only(client, parent)

    html = client.get(reverse("accounts:enrol_passkey")).content.decode()

    config = re.search(
        r'<script id="otp_webauthn_config" type="application/json">(.*?)</script>', html, re.S
    )
    assert json.loads(config.group(1))["completeRegistrationUrl"] == (
        f"{REGISTER_COMPLETE}?next=%2Faccount%2F"
    )
    assert 'src="/static/django_otp_webauthn/otp_webauthn_register.js"' in html
    # Without script the page says what is needed; the button is in a <template>.
    assert re.search(r"<template[^>]*>\s*<button[^>]*passkey-register-button", html)
    # Only the one nonce'd line of base.html runs inline; everything else has a src.
    inline = [attrs for attrs in RUNNABLE_SCRIPT.findall(html) if "src=" not in attrs]
    assert len(inline) == 1 and "nonce=" in inline[0]


def test_the_list_of_factors_offers_adding_a_passkey(client, staff):
    device = add_totp(staff)
    sign_in_verified(client, staff, device)

    html = client.get(FACTORS).content.decode()

    assert "data-passkey-option hidden" in html
    assert with_next("accounts:enrol_passkey", FACTORS) in html


def test_no_passkey_button_on_the_challenge_without_a_passkey(client, parent, totp_device):
    sign_in_password_only(client, parent)

    html = client.get(CHALLENGE).content.decode()

    assert "passkey-verification-button" not in html
    assert "otp_webauthn_config" not in html
    assert "otp_webauthn_auth.js" not in html


def test_the_challenge_offers_a_passkey_beside_the_code_form(client, parent, totp_device):
    add_passkey(parent)
    sign_in_password_only(client, parent)

    response = client.get(CHALLENGE)
    html = response.content.decode()

    assert response.context["device"] == totp_device  # the code form starts on the app
    assert 'name="code"' in html
    assert re.search(r"<template[^>]*>.*?passkey-verification-button", html, re.S)
    assert 'src="/static/django_otp_webauthn/otp_webauthn_auth.js"' in html
    assert 'id="otp_webauthn_config" type="application/json"' in html
    # The passkey has its button, not a link among the other ways.
    assert all(o["label"] != "Use a passkey" for o in response.context["others"])


def test_someone_with_only_a_passkey_gets_no_code_form_but_their_backup_codes(client, parent):
    add_passkey(parent)
    add_backup_codes(parent)
    sign_in_password_only(client, parent)

    response = client.get(CHALLENGE)
    html = response.content.decode()

    assert response.context["kind"] == "passkey"
    assert 'name="code"' not in html
    assert "Use a backup code" in html


def test_a_code_sent_against_a_passkey_is_refused(client, parent):
    passkey = add_passkey(parent)
    sign_in_password_only(client, parent)

    response = client.post(
        CHALLENGE,
        {"action": "verify", "factor": passkey.persistent_id, "code": "123456", "next": DASHBOARD},
    )

    assert factors.PASSKEY_HAS_NO_CODE in response.content.decode()
    assert not is_verified(client)


# Adding a passkey ----------------------------------------------------------------


def test_a_first_passkey_verifies_the_session_and_leads_to_backup_codes(
    client, parent, registers, settings, django_capture_on_commit_callbacks
):
    sign_in_password_only(client, parent)
    begin = client.post(REGISTER_BEGIN)
    assert begin.status_code == 200
    assert begin.json()["rp"] == {"id": settings.OTP_WEBAUTHN_RP_ID, "name": settings.SERVICE_NAME}

    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, REGISTER_COMPLETE, next="/account/")

    assert response.status_code == 200
    assert response.json()["redirect_url"] == with_next("accounts:backup_codes", "/account/")
    passkey = WebAuthnCredential.objects.get(user=parent)
    assert passkey.confirmed and passkey.name == "Passkey"
    event = AuditEvent.objects.get(action="accounts.factor_enrolled", data__factor="passkey")
    assert event.object_id == str(passkey.pk)
    assert len(mail.outbox) == 1  # the security notice
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert client.session[factors.VERIFIED_AT_SESSION_KEY]
    assert is_verified(client)


def sign_in_verified_long_ago(client, user, device, settings):
    """Verified, but before the step-up window."""
    sign_in_verified(client, user, device)
    session = client.session
    session[factors.VERIFIED_AT_SESSION_KEY] = (
        timezone.now().timestamp() - settings.OTP_STEP_UP_SECONDS - 1
    )
    session.save()


def test_adding_a_passkey_needs_a_recent_check(client, parent, totp_device, settings):
    sign_in_verified_long_ago(client, parent, totp_device, settings)

    response = client.post(REGISTER_BEGIN)

    assert response.status_code == 403
    assert response.json()["detail"] == factors.STEP_UP_NEEDED


def test_completing_a_passkey_needs_a_recent_check_too(
    client, parent, totp_device, registers, settings
):
    sign_in_verified_long_ago(client, parent, totp_device, settings)

    response = post_json(client, REGISTER_COMPLETE)

    assert response.status_code == 403
    assert response.json()["detail"] == factors.STEP_UP_NEEDED
    assert not WebAuthnCredential.objects.exists()


def test_a_passkey_cannot_be_added_before_the_email_is_confirmed(client):
    person = ParentFactory(email_verified_at=None)
    sign_in_password_only(client, person)

    response = client.post(REGISTER_BEGIN)

    assert response.status_code == 403
    assert response.json()["detail"] == factors.EMAIL_UNCONFIRMED


def test_the_ceremony_is_closed_to_a_signed_out_visitor(client, parent):
    add_passkey(parent)

    assert client.post(REGISTER_BEGIN).status_code == 403
    assert client.post(AUTH_BEGIN).status_code == 403
    # No passwordless sign-in: a passkey alone never signs anyone in.
    assert post_json(client, AUTH_COMPLETE).status_code == 403


# Checking a passkey ----------------------------------------------------------------


def test_a_passkey_verifies_the_session_as_every_factor_does(client, parent, signs_as):
    passkey = add_passkey(parent)
    sign_in_password_only(client, parent)
    key_before = client.session.session_key
    assert client.post(AUTH_BEGIN).status_code == 200
    signs_as(device=passkey)

    response = post_json(client, AUTH_COMPLETE, next=FACTORS)

    assert response.status_code == 200
    assert response.json()["redirect_url"] == FACTORS
    assert client.session.session_key != key_before
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert client.session[factors.VERIFIED_AT_SESSION_KEY]
    assert AuditEvent.objects.filter(
        action="accounts.verification_succeeded", data__factor="passkey"
    ).exists()
    assert is_verified(client)


def test_after_a_passkey_an_unsafe_next_goes_to_the_dashboard(client, parent, signs_as):
    passkey = add_passkey(parent)
    sign_in_password_only(client, parent)
    client.post(AUTH_BEGIN)
    signs_as(device=passkey)

    response = post_json(client, AUTH_COMPLETE, next="https://evil.example.org/")

    assert response.json()["redirect_url"] == DASHBOARD


def test_another_persons_passkey_does_not_verify_the_session(client, parent, signs_as):
    add_passkey(parent)
    someone_else = add_passkey(ParentFactory())
    sign_in_password_only(client, parent)
    client.post(AUTH_BEGIN)
    signs_as(device=someone_else)

    response = post_json(client, AUTH_COMPLETE)

    assert response.status_code == 403
    assert not is_verified(client)


def test_refused_passkey_answers_are_audited_and_lock_the_account(
    client, parent, signs_as, settings
):
    settings.OTP_MAX_FAILURES = 2
    add_passkey(parent)
    sign_in_password_only(client, parent)
    signs_as(error=webauthn_errors.UnprocessableEntity(code="invalid_authentication_response"))

    client.post(AUTH_BEGIN)
    assert post_json(client, AUTH_COMPLETE).status_code == 422
    client.post(AUTH_BEGIN)
    assert post_json(client, AUTH_COMPLETE).status_code == 429

    failures = AuditEvent.objects.filter(action="accounts.verification_failed")
    assert failures.count() == 2
    assert failures.first().data["factor"] == "passkey"
    # Locked for every factor of the account, the passkey included.
    assert client.post(AUTH_BEGIN).status_code == 429
    assert not is_verified(client)


# Removing a passkey ----------------------------------------------------------------


def test_a_passkey_is_removed_with_a_notice_and_an_audit_event(
    client, parent, totp_device, django_capture_on_commit_callbacks
):
    passkey = add_passkey(parent)
    sign_in_verified(client, parent, totp_device)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:factor_remove", args=[passkey.persistent_id]))

    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert AuditEvent.objects.filter(
        action="accounts.factor_removed", data__factor="passkey"
    ).exists()
    assert len(mail.outbox) == 1


def test_a_passkey_that_is_the_only_way_in_cannot_be_removed(client, parent):
    passkey = add_passkey(parent)
    add_backup_codes(parent)
    sign_in_verified(client, parent, passkey)

    response = client.post(reverse("accounts:factor_remove", args=[passkey.persistent_id]))

    assert response.status_code == 400
    assert factors.LAST_FACTOR in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


def test_a_staff_reset_removes_passkeys_too(parent):
    add_passkey(parent)
    add_backup_codes(parent)

    assert factors.devices_delete_all(user=parent) == 2
    assert not WebAuthnCredential.objects.filter(user=parent).exists()


# Staff and the Wagtail admin ------------------------------------------------------


def test_staff_admin_opens_for_a_session_verified_by_a_passkey(client, staff):
    passkey = add_passkey(staff)
    sign_in_verified(client, staff, passkey)

    assert client.get("/admin/").status_code == 200


def test_staff_with_a_passkey_are_asked_for_it_before_the_admin(client, staff):
    add_passkey(staff)
    sign_in_password_only(client, staff)

    response = client.get("/admin/")

    assert urlparse(response["Location"]).path == CHALLENGE
    assert "passkey-verification-button" in client.get(response["Location"]).content.decode()
