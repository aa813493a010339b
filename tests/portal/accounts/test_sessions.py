"""Session lifetime and rotation."""

import pytest
import time_machine
from django.urls import reverse

from tests.portal.accounts.factories import sign_in_password_only, sign_in_verified, totp_for

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("accounts:dashboard")


def test_an_idle_session_is_signed_out(client, parent, totp_device, settings):
    with time_machine.travel("2026-05-01 09:00Z", tick=False) as clock:
        sign_in_verified(client, parent, totp_device)
        assert client.get(DASHBOARD).status_code == 200

        clock.shift(settings.SESSION_IDLE_SECONDS - 10)
        assert client.get(DASHBOARD).status_code == 200  # activity keeps it alive

        clock.shift(settings.SESSION_IDLE_SECONDS + 1)
        response = client.get(DASHBOARD, follow=True)

    assert response.redirect_chain[0][0] == reverse("accounts:sign_in")
    assert "had not done anything for 30 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_at_its_absolute_lifetime(client, parent, totp_device, settings):
    with time_machine.travel("2026-05-01 09:00Z", tick=False) as clock:
        sign_in_verified(client, parent, totp_device)
        elapsed = 0
        while elapsed < settings.SESSION_COOKIE_AGE - settings.SESSION_IDLE_SECONDS:
            clock.shift(settings.SESSION_IDLE_SECONDS - 60)
            elapsed += settings.SESSION_IDLE_SECONDS - 60
            assert client.get(DASHBOARD).status_code == 200
        clock.shift(settings.SESSION_IDLE_SECONDS)
        response = client.get(DASHBOARD, follow=True)

    assert "signed in for too long" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_key_changes_when_the_second_factor_is_checked(client, parent, totp_device):
    sign_in_password_only(client, parent)
    before = client.session.session_key

    client.post(
        reverse("accounts:challenge"),
        {
            "action": "verify",
            "factor": totp_device.persistent_id,
            "code": totp_for(totp_device).now(),
        },
    )

    assert client.session.session_key != before
    assert client.get(DASHBOARD).status_code == 200


def test_session_cookie_settings_are_secure_by_default(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.PASSWORD_HASHERS[0].endswith("SingleLaneArgon2PasswordHasher")
    assert any(
        v["NAME"].endswith("CommonPasswordValidator") for v in settings.AUTH_PASSWORD_VALIDATORS
    )
