"""Second factors through the challenge page: codes from an independent TOTP
implementation, replay and time-step refusal, lockout and its end, email codes,
backup codes, removal and step-up."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import factors, throttling
from portal.audit.models import AuditEvent
from tests.portal.accounts.factories import (
    add_backup_codes,
    add_email_device,
    add_totp,
    sign_in_password_only,
    sign_in_verified,
    totp_for,
)

pytestmark = pytest.mark.django_db

CHALLENGE = reverse("accounts:challenge")
DASHBOARD = reverse("accounts:dashboard")
START = datetime.datetime(2026, 3, 2, 10, 0, 5, tzinfo=datetime.UTC)


def submit_code(client, device, code, next_url=DASHBOARD):
    return client.post(
        CHALLENGE,
        {"action": "verify", "factor": device.persistent_id, "code": code, "next": next_url},
    )


def is_verified(client):
    return client.get(DASHBOARD).status_code == 200


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_code_from_an_independent_totp_implementation_is_accepted(
    client, parent, totp_device, clock
):
    sign_in_password_only(client, parent)

    response = submit_code(client, totp_device, totp_for(totp_device).now())

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert is_verified(client)
    assert AuditEvent.objects.filter(action="accounts.verification_succeeded").count() == 1


def test_code_from_the_wrong_time_step_is_refused(client, parent, totp_device, clock):
    sign_in_password_only(client, parent)
    # Tolerance is one step either side; three steps back is too old.
    old_code = totp_for(totp_device).at(START - datetime.timedelta(seconds=90))

    response = submit_code(client, totp_device, old_code)

    assert response.status_code == 200
    assert factors.WRONG_CODE in response.content.decode()
    assert not is_verified(client)


def test_a_code_cannot_be_used_twice(client, parent, totp_device, clock):
    code = totp_for(totp_device).now()
    sign_in_password_only(client, parent)
    submit_code(client, totp_device, code)
    assert is_verified(client)

    client.post(reverse("accounts:sign_out"))
    sign_in_password_only(client, parent)
    response = submit_code(client, totp_device, code)

    assert factors.WRONG_CODE in response.content.decode()
    assert not is_verified(client)


def test_wrong_codes_lock_the_factor_until_the_lockout_ends(
    client, parent, totp_device, settings, clock
):
    sign_in_password_only(client, parent)
    totp = totp_for(totp_device)
    for _attempt in range(settings.OTP_MAX_FAILURES):
        clock.shift(40)  # a person typing, not a script: django-otp's back-off has passed
        response = submit_code(
            client, totp_device, "000000" if totp.now() != "000000" else "111111"
        )
    assert "Try again in 15 minutes" in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.lockout_started").count() == 1

    # The right code during the lockout is refused.
    clock.shift(60)
    response = submit_code(client, totp_device, totp.now())
    assert "Try again in 14 minutes" in response.content.decode()
    assert not is_verified(client)

    # The lockout ends on time.
    clock.shift(settings.ACCOUNT_LOCKOUT_SECONDS - 60 + 1)
    response = submit_code(client, totp_device, totp.now())
    assert response.status_code == 302
    assert is_verified(client)
    assert AuditEvent.objects.filter(action="accounts.lockout_ended").count() == 1


def test_rapid_guesses_are_held_back_by_django_otp_throttling(client, parent, totp_device, clock):
    sign_in_password_only(client, parent)
    submit_code(client, totp_device, "000001")

    # Straight away, even the right code waits for the back-off.
    response = submit_code(client, totp_device, totp_for(totp_device).now())

    assert "Try again in 1 second" in response.content.decode()
    assert not is_verified(client)


def test_lockout_covers_every_factor_of_the_account(client, parent, totp_device, settings, clock):
    backup = add_backup_codes(parent, codes=["cccc3333"])
    sign_in_password_only(client, parent)
    for _ in range(settings.OTP_MAX_FAILURES):
        clock.shift(40)
        submit_code(client, totp_device, "999999")

    response = submit_code(client, backup, "cccc3333")

    assert "Try again in" in response.content.decode()
    assert StaticToken.objects.filter(token="cccc3333").exists()


def test_email_code_is_sent_on_request_and_signs_in(
    client, parent, django_capture_on_commit_callbacks
):
    device = add_email_device(parent)
    sign_in_password_only(client, parent)

    page = client.get(CHALLENGE, {"next": DASHBOARD})
    assert "Send me a code" in page.content.decode()
    assert mail.outbox == []  # nothing is sent by just opening the page

    client.post(CHALLENGE, {"action": "send", "factor": device.persistent_id, "next": DASHBOARD})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    # The email holds the code and nothing about the person.
    assert parent.email not in message.body
    assert parent.full_name not in message.body

    response = submit_code(client, device, code)
    assert response.status_code == 302
    assert is_verified(client)


def test_email_codes_are_limited_per_account(client, parent, settings):
    device = add_email_device(parent)
    sign_in_password_only(client, parent)
    settings.OTP_EMAIL_COOLDOWN_DURATION = 0
    for _ in range(settings.EMAIL_CODE_MAX_SENDS):
        client.post(CHALLENGE, {"action": "send", "factor": device.persistent_id})
    sent = len(mail.outbox)

    response = client.post(
        CHALLENGE, {"action": "send", "factor": device.persistent_id}, follow=True
    )

    assert sent == settings.EMAIL_CODE_MAX_SENDS
    assert len(mail.outbox) == sent
    assert "Try again in" in response.content.decode()


def test_backup_code_works_once_only(client, parent, totp_device, clock):
    backup = parent.staticdevice_set.get()
    sign_in_password_only(client, parent)
    assert submit_code(client, backup, "AAAA 1111").status_code == 302
    assert is_verified(client)

    client.post(reverse("accounts:sign_out"))
    sign_in_password_only(client, parent)
    clock.shift(60)
    response = submit_code(client, backup, "aaaa1111")

    assert factors.WRONG_CODE in response.content.decode()
    assert not is_verified(client)


def test_staff_cannot_use_an_email_code(client, staff):
    add_totp(staff)
    email_device = add_email_device(staff)
    sign_in_password_only(client, staff)

    page = client.get(CHALLENGE, {"factor": email_device.persistent_id})

    assert "Send me a code" not in page.content.decode()
    assert "authenticator app" in page.content.decode()


def test_removing_the_last_factor_is_refused(client, parent, totp_device):
    sign_in_verified(client, parent, totp_device)

    response = client.post(reverse("accounts:factor_remove", args=[totp_device.persistent_id]))

    assert response.status_code == 400
    assert factors.LAST_FACTOR in response.content.decode()
    assert TOTPDevice.objects.filter(pk=totp_device.pk).exists()


def test_removing_a_factor_with_another_left_sends_a_notice_without_codes(
    client, parent, totp_device, django_capture_on_commit_callbacks
):
    email_device = add_email_device(parent)
    sign_in_verified(client, parent, totp_device)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:factor_remove", args=[totp_device.persistent_id]))

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=totp_device.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.factor_removed").count() == 1
    assert len(mail.outbox) == 1
    assert not re.search(r"\b\d{6}\b", mail.outbox[0].body)
    # The session stays verified on the factor that is left.
    assert is_verified(client)
    assert client.session["otp_device_id"] == email_device.persistent_id


def test_backup_codes_cannot_be_removed(client, parent, totp_device):
    sign_in_verified(client, parent, totp_device)
    backup = parent.staticdevice_set.get()

    response = client.post(reverse("accounts:factor_remove", args=[backup.persistent_id]))

    assert factors.BACKUP_NOT_REMOVABLE in response.content.decode()


def test_another_persons_factor_is_not_found(client, parent, totp_device):
    other = add_totp(type(parent).objects.create_user(email="other@example.org", password="x"))
    sign_in_verified(client, parent, totp_device)

    response = client.post(reverse("accounts:factor_remove", args=[other.persistent_id]))

    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


def test_step_up_asks_again_after_the_window(client, parent, totp_device, settings, clock):
    sign_in_verified(client, parent, totp_device)
    url = reverse("accounts:backup_codes_regenerate")
    assert client.get(url).status_code == 200

    clock.shift(settings.OTP_STEP_UP_SECONDS + 1)
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(CHALLENGE)
    assert "step_up=1" in response["Location"]
    # Still signed in and verified for ordinary pages.
    assert is_verified(client)

    submit_code(client, totp_device, totp_for(totp_device).now(), next_url=url)
    assert client.get(url).status_code == 200


def test_regenerating_backup_codes_replaces_them_and_sends_a_notice_without_codes(
    client, parent, totp_device, django_capture_on_commit_callbacks
):
    sign_in_verified(client, parent, totp_device)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:backup_codes_regenerate"), follow=True)

    codes = client.session[factors.PENDING_CODES_SESSION_KEY]
    assert len(codes) == factors.BACKUP_CODE_COUNT
    assert not StaticToken.objects.filter(token="aaaa1111").exists()
    page = response.content.decode()
    assert all(code in page for code in codes)
    assert len(mail.outbox) == 1
    assert not any(code in mail.outbox[0].body for code in codes)
    assert AuditEvent.objects.filter(action="accounts.backup_codes_regenerated").count() == 1

    download = client.post(reverse("accounts:backup_codes_download"))
    assert download["Content-Disposition"] == 'attachment; filename="backup-codes.txt"'
    assert all(code in download.content.decode() for code in codes)

    # Continuing forgets them: they are never shown again.
    client.post(reverse("accounts:backup_codes"), {"next": reverse("accounts:factors")})
    assert factors.PENDING_CODES_SESSION_KEY not in client.session
    assert client.get(reverse("accounts:backup_codes")).status_code == 302


def test_enrolling_an_app_with_a_pyotp_code_shows_backup_codes_once(
    client, parent, clock, django_capture_on_commit_callbacks
):
    sign_in_password_only(client, parent)
    page = client.get(reverse("accounts:enrol_totp"), {"next": DASHBOARD})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "app-qr-code" in html
    key = re.search(r'id="setup-key">([A-Z2-7 ]+)<', html).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", key)

    import pyotp

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:enrol_totp"),
            {"code": pyotp.TOTP(key.replace(" ", "")).now(), "next": DASHBOARD},
        )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:backup_codes"))
    device = TOTPDevice.objects.get(user=parent)
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=parent).count() == factors.BACKUP_CODE_COUNT
    assert AuditEvent.objects.filter(action="accounts.factor_enrolled").count() == 2
    assert len(mail.outbox) == 1  # the security notice, with no code in it
    assert not re.search(r"\b\d{6}\b", mail.outbox[0].body)
    assert is_verified(client)


def test_a_second_factor_cannot_be_added_on_a_password_alone(client, parent, totp_device):
    sign_in_password_only(client, parent)

    response = client.get(reverse("accounts:enrol_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(CHALLENGE)
    assert TOTPDevice.objects.filter(user=parent).count() == 1


def test_locked_message_rounds_up_to_whole_minutes():
    assert throttling.locked_message(seconds=61) == (
        "You have tried too many times. Try again in 2 minutes."
    )
