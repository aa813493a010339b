"""Sign-up, email confirmation, sign-in, password reset and change: GOV.UK
errors, no account enumeration, limits, audit events and notices."""

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from portal.accounts import registration
from portal.accounts.authentication import SIGN_IN_FAILED
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from tests.portal.accounts.factories import PASSWORD, ParentFactory, sign_in_verified

pytestmark = pytest.mark.django_db

SIGN_UP = reverse("accounts:sign_up")
SIGN_IN = reverse("accounts:sign_in")


def page_text(response) -> str:
    """The page without its per-response nonce and CSRF token."""
    html = response.content.decode()
    return re.sub(r'(nonce|value)="[^"]{16,}"', "", html)


def sign_up(client, email, password=PASSWORD, confirm=None, name="Alex Example"):
    return client.post(
        SIGN_UP,
        {
            "full_name": name,
            "email": email,
            "password": password,
            "password_confirm": confirm or password,
        },
    )


def test_sign_up_creates_an_account_and_emails_a_confirmation_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "new.parent@example.org")

    assert response["Location"] == reverse("accounts:sign_up_done")
    user = User.objects.get(email="new.parent@example.org")
    assert user.full_name == "Alex Example"
    assert user.email_verified_at is None
    assert user.password.startswith("argon2")
    assert AuditEvent.objects.filter(action="accounts.signed_up").count() == 1
    [message] = mail.outbox
    assert "Alex" not in message.body
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body).group(0)

    # Opening the link asks for a button press; pressing it confirms.
    path = link.split("localhost:8000")[-1] if "localhost:8000" in link else link
    assert client.get(path).status_code == 200
    assert User.objects.get(pk=user.pk).email_verified_at is None
    response = client.post(path)
    assert response["Location"] == SIGN_IN
    assert User.objects.get(pk=user.pk).email_verified_at is not None
    assert AuditEvent.objects.filter(action="accounts.email_verified").count() == 1


def test_sign_up_with_a_registered_email_looks_the_same_and_tells_the_owner(
    client, django_capture_on_commit_callbacks
):
    owner = ParentFactory(email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = sign_up(client, "Taken@Example.org", name="Someone Else")
    with django_capture_on_commit_callbacks(execute=True):
        unknown = sign_up(client, "free@example.org", name="Someone Else")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert page_text(client.get(known["Location"])) == page_text(client.get(unknown["Location"]))
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert User.objects.get(pk=owner.pk).full_name == owner.full_name
    to_owner = [m for m in mail.outbox if m.to == ["taken@example.org"]]
    assert len(to_owner) == 1
    assert "already have an account" in to_owner[0].body


def test_sign_up_shows_gov_uk_errors(client):
    response = sign_up(client, "not-an-email", password="password123", confirm="different")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="govuk-error-summary"') == 1
    assert "<title>Error: Create an account" in html
    assert 'href="#id_email"' in html
    assert "Enter an email address in the correct format, like name@example.com" in html
    assert "The passwords do not match" in html
    assert "This password is too common." in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert User.objects.count() == 0


def test_an_expired_confirmation_link_is_refused(client):
    user = ParentFactory(email_verified_at=None)
    with time_machine.travel("2026-01-01 09:00Z", tick=False) as clock:
        token = registration.confirmation_token(user=user)
        clock.shift(3 * 24 * 60 * 60 + 1)
        response = client.post(reverse("accounts:confirm_email", args=[token]))

    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_a_confirmation_link_for_an_old_address_is_refused(client):
    user = ParentFactory(email_verified_at=None)
    token = registration.confirmation_token(user=user)
    user.email = "changed@example.org"
    user.save()

    assert client.post(reverse("accounts:confirm_email", args=[token])).status_code == 400


def test_sign_in_failure_says_the_same_for_unknown_and_known_addresses(client, parent):
    wrong_password = client.post(SIGN_IN, {"email": parent.email, "password": "not it at all"})
    unknown = client.post(SIGN_IN, {"email": "nobody@example.org", "password": "not it at all"})

    for response in (wrong_password, unknown):
        assert response.status_code == 200
        assert SIGN_IN_FAILED in response.content.decode()
    failures = AuditEvent.objects.filter(action="accounts.sign_in_failed")
    assert failures.count() == 2
    assert all(parent.email not in str(event.data) for event in failures)


def test_sign_in_rotates_the_session_and_is_audited(client, parent):
    client.get(SIGN_IN)
    client.session["marker"] = True
    before = client.session.session_key

    response = client.post(SIGN_IN, {"email": parent.email.upper(), "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.session_key != before
    assert AuditEvent.objects.filter(action="accounts.sign_in_succeeded", actor=parent).exists()


def test_repeated_wrong_passwords_lock_sign_in_for_that_account(client, parent, settings):
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        response = client.post(SIGN_IN, {"email": parent.email, "password": "wrong wrong"})

    assert "Try again in 15 minutes" in response.content.decode()
    response = client.post(SIGN_IN, {"email": parent.email, "password": PASSWORD})
    assert "Try again in 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.lockout_started").count() == 1


def test_an_unknown_address_is_locked_the_same_way(client, settings):
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        response = client.post(SIGN_IN, {"email": "ghost@example.org", "password": "wrong wrong"})

    assert "Try again in 15 minutes" in response.content.decode()


def test_one_address_is_limited_across_accounts(client, settings):
    settings.IP_MAX_FAILURES = 3
    for n in range(3):
        response = client.post(SIGN_IN, {"email": f"p{n}@example.org", "password": "wrong wrong"})

    assert "Try again in" in response.content.decode()


def test_password_reset_looks_the_same_for_known_and_unknown_addresses(
    client, parent, django_capture_on_commit_callbacks
):
    url = reverse("accounts:password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": parent.email})
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(url, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_sent")
    assert page_text(client.get(known["Location"])) == page_text(client.get(unknown["Location"]))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [parent.email]


def test_password_reset_link_sets_a_new_password_and_sends_a_notice(
    client, parent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": parent.email})
    link = re.search(r"/account/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            set_password_url,
            {
                "new_password1": "a brand new passphrase 7",
                "new_password2": "a brand new passphrase 7",
            },
        )

    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert User.objects.get(pk=parent.pk).check_password("a brand new passphrase 7")
    assert AuditEvent.objects.filter(action="accounts.password_reset").count() == 1
    assert len(mail.outbox) == 2
    assert "a brand new passphrase" not in mail.outbox[1].body


def test_password_change_needs_the_current_password(client, parent, totp_device):
    sign_in_verified(client, parent, totp_device)
    url = reverse("accounts:password_change")

    wrong = client.post(
        url,
        {
            "old_password": "nope",
            "new_password1": "another passphrase 9",
            "new_password2": "another passphrase 9",
        },
    )
    assert "Your current password is not correct" in wrong.content.decode()

    right = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "another passphrase 9",
            "new_password2": "another passphrase 9",
        },
    )
    assert right["Location"] == reverse("accounts:dashboard")
    assert User.objects.get(pk=parent.pk).check_password("another passphrase 9")
    assert AuditEvent.objects.filter(action="accounts.password_changed").count() == 1
    # This session carries on.
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_sign_out_is_a_post_and_is_audited(client, parent, totp_device):
    sign_in_verified(client, parent, totp_device)

    assert client.get(reverse("accounts:sign_out")).status_code == 405
    response = client.post(reverse("accounts:sign_out"))

    assert response["Location"] == reverse("accounts:signed_out")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.signed_out").count() == 1


def test_navigation_offers_sign_in_or_a_sign_out_button(client, parent, totp_device):
    signed_out = client.get(SIGN_IN).content.decode()
    assert f'href="{SIGN_IN}"' in signed_out

    sign_in_verified(client, parent, totp_device)
    signed_in = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Your account" in signed_in
    assert re.search(
        r'<form method="post" action="/account/sign-out/"[^>]*>\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken"',
        signed_in,
    )
