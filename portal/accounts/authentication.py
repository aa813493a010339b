"""Signing in with a password, signing out, and password changes.

Signing in with a password is only the first step: the session is not
verified until the person passes a second-factor check (``factors``).
"""

from __future__ import annotations

from django.contrib import auth
from django.utils import timezone

from portal.accounts import throttling
from portal.accounts.factors import SECURITY_NOTICE
from portal.accounts.models import User
from portal.audit import events
from portal.notifications.email import enqueue_notice

SIGN_IN_FAILED = "Enter the email address and password for your account"
SIGNED_IN_AT_SESSION_KEY = "accounts_signed_in_at"


class SignInFailed(Exception):
    """Wrong email address or password (the message never says which)."""


def sign_in(*, request, email: str, password: str) -> User:
    """Check the password and start a password-only session (rotating the
    session key). Raises ``throttling.Locked`` or ``SignInFailed``."""
    email = email.strip()
    address = throttling.client_address(request)
    throttling.check(limit=throttling.SIGN_IN_ACCOUNT, value=email, request=request)
    throttling.check(limit=throttling.SIGN_IN_ADDRESS, value=address, request=request)
    user = auth.authenticate(request, username=email, password=password)
    if user is None:
        # The account, if there is one, is named in the trail by id; the
        # address typed is not recorded.
        known = User.objects.filter(email__iexact=email).first()
        events.record(
            action="accounts.sign_in_failed",
            actor=known,
            request=request,
            data={"reason": "credentials"},
        )
        throttling.register_failure(
            limit=throttling.SIGN_IN_ACCOUNT, value=email, request=request, actor=known
        )
        throttling.register_failure(
            limit=throttling.SIGN_IN_ADDRESS, value=address, request=request, actor=known
        )
        raise SignInFailed(SIGN_IN_FAILED)
    throttling.reset(limit=throttling.SIGN_IN_ACCOUNT, value=email)
    # auth.login flushes or rotates the session key (no session fixation).
    auth.login(request, user)
    request.session[SIGNED_IN_AT_SESSION_KEY] = timezone.now().timestamp()
    events.record(action="accounts.sign_in_succeeded", actor=user, request=request)
    return user


def sign_out(*, request, reason: str = "") -> None:
    user = request.user
    if user.is_authenticated:
        events.record(action="accounts.signed_out", actor=user, request=request, reason=reason)
    auth.logout(request)


def password_changed(*, user: User, request, how: str) -> None:
    """Record a password change or reset and tell the person by email.
    ``how`` is "changed" (signed in) or "reset" (by email link)."""
    if how == "reset" and user.email_verified_at is None:
        # Following the reset link proved the person reads this mailbox.
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    events.record(action=f"accounts.password_{how}", actor=user, obj=user, request=request)
    enqueue_notice(user=user, template=SECURITY_NOTICE)
