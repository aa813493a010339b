"""Creating an account and confirming its email address.

No account enumeration: signing up with an address that already has an account
looks exactly the same to the person signing up (the same page, about the same
time taken); the owner of the address gets an email saying so instead.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.audit import events
from portal.outbox import relay as outbox

EMAIL_SALT = "portal.accounts.confirm-email"
INVALID_LINK = "This link has expired or is not valid."


class InvalidLink(Exception):
    """An email confirmation link that is expired, altered or for an old address."""


def account_sign_up(*, full_name: str, email: str, password: str, request) -> User | None:
    """Create a parent's account and email a confirmation link. Returns the new
    account, or None when the address was already registered (the existing
    owner is emailed instead, and the caller shows the same page either way)."""
    email = User.objects.normalize_email(email).strip()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, password=password, full_name=full_name)
        except IntegrityError:  # signed up twice at the same moment
            existing = User.objects.filter(email__iexact=email).first()
        else:
            events.record(action="accounts.signed_up", actor=user, obj=user, request=request)
            send_confirmation_email(user=user)
            return user
    # Hash the password anyway so both paths take about as long.
    make_password(password)
    if existing is None:
        return None
    events.record(action="accounts.sign_up_existing_address", obj=existing, request=request)
    if existing.email_verified_at is None and existing.is_active:
        send_confirmation_email(user=existing)
    else:
        _send_account_email(user=existing, template="account_exists", context={})
    return None


def confirmation_token(*, user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=EMAIL_SALT, compress=True)


def confirmation_url(*, user: User) -> str:
    path = reverse("accounts:confirm_email", kwargs={"token": confirmation_token(user=user)})
    return f"{settings.BASE_URL}{path}"


def confirmation_user(*, token: str) -> User:
    """The account a confirmation link is for; raises InvalidLink."""
    try:
        payload = signing.loads(token, salt=EMAIL_SALT, max_age=settings.EMAIL_VERIFICATION_SECONDS)
    except signing.BadSignature as error:
        raise InvalidLink(INVALID_LINK) from error
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or user.email.lower() != payload.get("e"):
        raise InvalidLink(INVALID_LINK)
    return user


def email_confirm(*, token: str, request) -> User:
    """Mark the account's email address as confirmed (idempotent)."""
    user = confirmation_user(token=token)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        events.record(action="accounts.email_verified", actor=user, obj=user, request=request)
    return user


def send_confirmation_email(*, user: User) -> None:
    _send_account_email(
        user=user,
        template="confirm_email",
        context={
            "confirmation_url": confirmation_url(user=user),
            "days": settings.EMAIL_VERIFICATION_SECONDS // (24 * 60 * 60),
        },
    )


SUBJECTS = {
    "confirm_email": "Confirm your email address",
    "account_exists": "Someone tried to create an account with your email address",
}


def _send_account_email(*, user: User, template: str, context: dict) -> None:
    """Emails that carry a link only this person should have, sent after the
    transaction commits. They hold no personal data (not even a name)."""
    context = {
        **context,
        "service_name": settings.SERVICE_NAME,
        "base_url": settings.BASE_URL,
        "sign_in_url": f"{settings.BASE_URL}{reverse('accounts:sign_in')}",
        "reset_url": f"{settings.BASE_URL}{reverse('accounts:password_reset')}",
    }
    body = render_to_string(f"accounts/email/{template}.txt", context)
    queue_email(subject=f"{SUBJECTS[template]} - {settings.SERVICE_NAME}", body=body, to=user.email)


def queue_email(*, subject: str, body: str, to: str) -> None:
    """Send through the task queue once the transaction commits, so a request
    takes the same time whether or not an email goes out (no enumeration by
    timing) and a rolled-back change sends nothing. Through the outbox
    (``portal.outbox``): a broker outage delays the email, never loses it."""
    outbox.enqueue("django.core.mail.send_mail", subject, body, None, [to], group="account-emails")
