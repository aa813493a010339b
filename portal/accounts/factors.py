"""Second factors: enrolment, verification, step-up, backup codes and removal.

A factor is a django-otp device. Parents may use an authenticator app (TOTP),
an email code, a passkey and backup codes; staff an authenticator app, a
passkey and backup codes (email codes prove only what a password reset proves,
so they do not open the admin). Backup codes are always a fallback, never the
only factor.

Verifying a code is a write (django-otp records the used time step, deletes a
used backup code and counts failures), so each check locks the device row.

Passkeys (WebAuthn, django-otp-webauthn) have no code: the browser signs a
challenge and the library's views check the signature. Those views are
subclassed in ``views`` so that a passkey is added, and a session verified by
one, through the same functions here as every other factor.
"""

from __future__ import annotations

import contextlib
from base64 import b32encode
from enum import StrEnum

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.accounts import throttling
from portal.accounts.models import User
from portal.audit import events
from portal.notifications.email import enqueue_notice

BACKUP_CODE_COUNT = 10
SECURITY_NOTICE = "security_notice"
# Session keys.
VERIFIED_AT_SESSION_KEY = "accounts_verified_at"
PENDING_CODES_SESSION_KEY = "accounts_backup_codes"

WRONG_CODE = "The code is not correct. Check it and try again."
EMPTY_CODE = "Enter the code"
LAST_FACTOR = (
    "You cannot remove your only way of signing in. Set up another one first, then remove this one."
)
BACKUP_NOT_REMOVABLE = "You cannot remove your backup codes. You can get new ones instead."
NOT_ALLOWED_FOR_STAFF = "Staff accounts cannot use this way of signing in."
CODE_NOT_SENT = "We could not send a code just now. Wait a minute and try again."
EMAIL_UNCONFIRMED = "Confirm your email address before you set up a way to sign in."
STEP_UP_NEEDED = "Confirm it is you again before you add another way to sign in."
PASSKEY_HAS_NO_CODE = (
    "A passkey does not use a code. Use the passkey button, or choose another way."
)
PASSKEY_NOT_USABLE = "This passkey cannot be used to sign in to this account."


class FactorKind(StrEnum):
    APP = "app"
    EMAIL = "email"
    PASSKEY = "passkey"
    BACKUP = "backup"


KIND_LABELS = {
    FactorKind.APP: "Authenticator app",
    FactorKind.EMAIL: "Email code",
    FactorKind.PASSKEY: "Passkey",
    FactorKind.BACKUP: "Backup codes",
}
# Kinds that may be someone's way of signing in on their own.
PRIMARY_KINDS = {FactorKind.APP, FactorKind.EMAIL, FactorKind.PASSKEY}
STAFF_KINDS = {FactorKind.APP, FactorKind.PASSKEY, FactorKind.BACKUP}
_MODELS = {
    TOTPDevice: FactorKind.APP,
    EmailDevice: FactorKind.EMAIL,
    WebAuthnCredential: FactorKind.PASSKEY,
    StaticDevice: FactorKind.BACKUP,
}
# The order factors are listed and offered in.
_ORDER = [FactorKind.APP, FactorKind.EMAIL, FactorKind.PASSKEY, FactorKind.BACKUP]


class FactorError(Exception):
    """A factor change or check that cannot go ahead; the message is for the person."""


# Reads ---------------------------------------------------------------------


def factor_kind(device: Device) -> FactorKind | None:
    return _MODELS.get(type(device))


def allowed_kinds(*, user: User) -> set[FactorKind]:
    return STAFF_KINDS if user.is_staff_account else set(FactorKind)


def factors_for_user(*, user: User) -> list[Device]:
    """The person's confirmed factors that they may use, in display order."""
    kinds = allowed_kinds(user=user)
    devices = [
        device
        for model, kind in _MODELS.items()
        if kind in kinds
        for device in model.objects.devices_for_user(user, confirmed=True)
    ]
    return sorted(devices, key=lambda d: (_ORDER.index(factor_kind(d)), d.pk))


def primary_factors(*, user: User) -> list[Device]:
    return [d for d in factors_for_user(user=user) if factor_kind(d) in PRIMARY_KINDS]


def has_primary_factor(*, user: User) -> bool:
    return bool(primary_factors(user=user))


def factor_for_user(*, user: User, persistent_id: str) -> Device | None:
    """One of the person's own usable factors by its persistent id, or None:
    never another person's device."""
    for device in factors_for_user(user=user):
        if device.persistent_id == persistent_id:
            return device
    return None


def has_passkey(*, user: User) -> bool:
    return any(factor_kind(d) == FactorKind.PASSKEY for d in factors_for_user(user=user))


def backup_codes_remaining(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def session_is_verified(*, request) -> bool:
    """The session passed a second-factor check with a factor this person may use."""
    user = request.user
    if not (user.is_authenticated and user.is_verified()):
        return False
    return factor_kind(user.otp_device) in allowed_kinds(user=user)


def verified_with_primary_factor(*, request) -> bool:
    """The session was checked with a confirmed primary factor of the person's
    (so they have one), read from the session's own device: no query."""
    device = getattr(request.user, "otp_device", None)
    return bool(
        device is not None
        and getattr(device, "confirmed", False)
        and factor_kind(device) in PRIMARY_KINDS
    )


def verified_recently(*, request, window: int | None = None) -> bool:
    """The session passed a check within ``window`` seconds (step-up)."""
    window = settings.OTP_STEP_UP_SECONDS if window is None else window
    verified_at = request.session.get(VERIFIED_AT_SESSION_KEY)
    if not session_is_verified(request=request) or verified_at is None:
        return False
    return timezone.now().timestamp() - verified_at <= window


def enrolment_check(*, user: User, request) -> None:
    """Raise ``FactorError`` unless this session may add a factor now: the email
    address is confirmed (parents), and once the person has a factor, they
    passed a check within the step-up window, or a stolen password could add one.

    The same rule as ``decorators.enrolment_allowed``, for callers that answer
    with an error rather than a redirect (the passkey ceremony)."""
    if not user.is_staff_account and user.email_verified_at is None:
        raise FactorError(EMAIL_UNCONFIRMED)
    if has_primary_factor(user=user) and not verified_recently(request=request):
        raise FactorError(STEP_UP_NEEDED)


# Authenticator app -------------------------------------------------------------


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """An unconfirmed app factor holding a fresh key; one at a time per person."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=KIND_LABELS[FactorKind.APP], confirmed=False)


def totp_pending(*, user: User, device_id: int | None) -> TOTPDevice | None:
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()


def totp_key_text(*, device: TOTPDevice) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def totp_qr_svg(*, device: TOTPDevice) -> str:
    """The key as a QR code, inline SVG drawn here (no external service)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#0b0c0c", light="#ffffff", svgclass="app-qr-code"
    )
    label = _("QR code to scan with your authenticator app")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def totp_enrolment_confirm(*, user: User, device: TOTPDevice, code: str, request) -> TOTPDevice:
    """Confirm a new app factor with a code from the app; the session counts as
    verified by it."""
    if FactorKind.APP not in allowed_kinds(user=user):
        raise FactorError(NOT_ALLOWED_FOR_STAFF)
    device = _check_code(user=user, device=device, code=code, request=request)
    return _enrolled(user=user, device=device, request=request)


# Email codes -------------------------------------------------------------------


def email_enrolment_start(*, user: User, request) -> EmailDevice:
    """An unconfirmed email factor, with a code sent to the account's address."""
    if FactorKind.EMAIL not in allowed_kinds(user=user):
        raise FactorError(NOT_ALLOWED_FOR_STAFF)
    device = EmailDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = EmailDevice.objects.create(
            user=user, name=KIND_LABELS[FactorKind.EMAIL], confirmed=False
        )
    email_code_send(user=user, device=device, request=request)
    return device


def email_pending(*, user: User) -> EmailDevice | None:
    return EmailDevice.objects.filter(user=user, confirmed=False).first()


def email_enrolment_confirm(*, user: User, device: EmailDevice, code: str, request) -> EmailDevice:
    device = _check_code(user=user, device=device, code=code, request=request)
    return _enrolled(user=user, device=device, request=request)


def email_code_send(*, user: User, device: EmailDevice, request) -> None:
    """Email a one-time code (the email holds the code and nothing else).

    Limited per account and per address, on top of django-otp's cooldown."""
    address = throttling.client_address(request)
    throttling.check(limit=throttling.EMAIL_CODE_ACCOUNT, value=str(user.pk), request=request)
    throttling.check(limit=throttling.EMAIL_CODE_ADDRESS, value=address, request=request)
    with transaction.atomic():
        device = EmailDevice.objects.select_for_update().get(pk=device.pk, user=user)
        allowed, _info = device.generate_is_allowed()
        if not allowed:
            raise FactorError(CODE_NOT_SENT)
        device.generate_challenge()
    events.record(
        action="accounts.email_code_sent", request=request, obj=device, data={"factor": "email"}
    )
    for limit, value in (
        (throttling.EMAIL_CODE_ACCOUNT, str(user.pk)),
        (throttling.EMAIL_CODE_ADDRESS, address),
    ):
        # This code was sent; reaching the limit makes the next one wait.
        with contextlib.suppress(throttling.Locked):
            throttling.register_failure(limit=limit, value=value, request=request)


# Passkeys ----------------------------------------------------------------------


def passkey_enrolment_check(*, user: User, request) -> None:
    """May this session start (or finish) adding a passkey? Raises ``FactorError``."""
    if FactorKind.PASSKEY not in allowed_kinds(user=user):
        raise FactorError(NOT_ALLOWED_FOR_STAFF)
    enrolment_check(user=user, request=request)


def passkey_enrolment_confirm(
    *, user: User, device: WebAuthnCredential, request
) -> WebAuthnCredential:
    """Keep a passkey the library has just registered (attestation checked) as
    one of the person's factors; the session counts as verified by it.

    ``passkey_enrolment_check`` ran before the ceremony began and again before
    it completed: the new passkey is already saved here, so it cannot run now."""
    if device.user_id != user.pk or FactorKind.PASSKEY not in allowed_kinds(user=user):
        raise FactorError(PASSKEY_NOT_USABLE)
    device.name = KIND_LABELS[FactorKind.PASSKEY]
    return _enrolled(user=user, device=device, request=request)


def passkey_verification_check(*, user: User, request) -> None:
    """May this person try a passkey now? Raises ``throttling.Locked`` while the
    account or address is locked after wrong codes, as for every factor."""
    _attempt_check(user=user, request=request)
    if not has_passkey(user=user):
        raise FactorError(PASSKEY_NOT_USABLE)


def passkey_verify(*, user: User, device: WebAuthnCredential, request) -> WebAuthnCredential:
    """Mark the session verified by a passkey whose signature the library has
    just checked against this session's challenge."""
    if (
        factor_kind(device) != FactorKind.PASSKEY
        or device.user_id != user.pk
        or not device.confirmed
        or FactorKind.PASSKEY not in allowed_kinds(user=user)
    ):
        raise FactorError(PASSKEY_NOT_USABLE)
    _attempt_check(user=user, request=request)
    throttling.reset(limit=throttling.OTP_ACCOUNT, value=str(user.pk))
    return _verified(user=user, device=device, request=request)


def passkey_verification_failed(*, user: User, request, reason: str) -> None:
    """A passkey answer the library refused (bad signature, unknown or another
    person's passkey, no challenge): audited and counted like a wrong code.
    Raises ``throttling.Locked`` when this failure reaches the limit."""
    events.record(
        action="accounts.verification_failed",
        request=request,
        actor=user,
        data={"factor": FactorKind.PASSKEY.value, "reason": reason, "throttled": False},
    )
    _register_failure(user=user, request=request)


# Backup codes --------------------------------------------------------------------


def backup_codes_generate(*, user: User, request, regenerate: bool = False) -> list[str]:
    """Ten new one-time codes, replacing any the person had. Returned once: the
    caller shows them and never stores them anywhere else."""
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            device = StaticDevice.objects.create(
                user=user, name=KIND_LABELS[FactorKind.BACKUP], confirmed=True
            )
        else:
            device.token_set.all().delete()
            device.throttle_reset(commit=False)
            device.confirmed = True
            device.save()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        action = "accounts.backup_codes_regenerated" if regenerate else "accounts.factor_enrolled"
        events.record(
            action=action,
            request=request,
            actor=user,
            obj=device,
            data={"factor": FactorKind.BACKUP.value},
        )
        if regenerate:
            enqueue_notice(user=user, template=SECURITY_NOTICE)
    return codes


def backup_codes_text(*, codes: list[str]) -> str:
    lines = [
        settings.SERVICE_NAME,
        _("Backup codes. Each code works once. Keep them somewhere safe."),
        "",
        *codes,
        "",
    ]
    return "\n".join(lines)


# Verification ------------------------------------------------------------------


def factor_verify(*, user: User, device: Device, code: str, request) -> Device:
    """Check a code against one of the person's factors and mark the session
    verified. Raises ``throttling.Locked`` or ``FactorError``."""
    if factor_kind(device) not in allowed_kinds(user=user) or not device.confirmed:
        raise FactorError(NOT_ALLOWED_FOR_STAFF)
    if factor_kind(device) == FactorKind.PASSKEY:
        raise FactorError(PASSKEY_HAS_NO_CODE)
    device = _check_code(user=user, device=device, code=code, request=request)
    return _verified(user=user, device=device, request=request)


def _verified(*, user: User, device: Device, request) -> Device:
    session_mark_verified(request=request, device=device)
    events.record(
        action="accounts.verification_succeeded",
        request=request,
        actor=user,
        obj=device,
        data={"factor": factor_kind(device).value},
    )
    return device


def session_mark_verified(*, request, device: Device) -> None:
    """Persist the device in the session (django-otp), rotate the session key,
    and note the time for step-up checks."""
    django_otp.login(request, device)
    request.session.cycle_key()
    request.session[VERIFIED_AT_SESSION_KEY] = timezone.now().timestamp()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _check_code(*, user: User, device: Device, code: str, request) -> Device:
    code = _normalise(code or "")
    if not code:
        raise FactorError(EMPTY_CODE)
    account = str(user.pk)
    _attempt_check(user=user, request=request)
    kind = factor_kind(device)
    device_wait = None
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk, user=user)
        allowed, info = locked.verify_is_allowed()
        if not allowed:
            # django-otp's back-off after a wrong code (1, 2, 4 ... seconds).
            until = (info or {}).get("locked_until")
            device_wait = (until - timezone.now()).total_seconds() if until else 60
            accepted = False
        else:
            # TOTP codes are numbers (django-otp would take "1e5" or " 123456").
            accepted = (kind != FactorKind.APP or code.isdigit()) and locked.verify_token(code)
            if not accepted and kind == FactorKind.APP and not code.isdigit():
                locked.throttle_increment()
    if accepted:
        throttling.reset(limit=throttling.OTP_ACCOUNT, value=account)
        return locked
    events.record(
        action="accounts.verification_failed",
        request=request,
        actor=user,
        obj=locked,
        data={"factor": kind.value if kind else "", "throttled": device_wait is not None},
    )
    # Attempts made during the back-off count too: hammering locks sooner.
    _register_failure(user=user, request=request)
    if device_wait is not None:
        raise throttling.Locked(device_wait)
    raise FactorError(WRONG_CODE)


def _attempt_check(*, user: User, request) -> None:
    """Raise ``throttling.Locked`` while the account or the address is locked."""
    address = throttling.client_address(request)
    throttling.check(limit=throttling.OTP_ACCOUNT, value=str(user.pk), request=request, actor=user)
    throttling.check(limit=throttling.OTP_ADDRESS, value=address, request=request, actor=user)


def _register_failure(*, user: User, request) -> None:
    address = throttling.client_address(request)
    throttling.register_failure(
        limit=throttling.OTP_ACCOUNT, value=str(user.pk), request=request, actor=user
    )
    throttling.register_failure(
        limit=throttling.OTP_ADDRESS, value=address, request=request, actor=user
    )


def _enrolled(*, user: User, device: Device, request) -> Device:
    device.confirmed = True
    device.save(update_fields=["confirmed", "name"])
    events.record(
        action="accounts.factor_enrolled",
        request=request,
        actor=user,
        obj=device,
        data={"factor": factor_kind(device).value},
    )
    enqueue_notice(user=user, template=SECURITY_NOTICE)
    # Entering the code proved the person has the factor.
    session_mark_verified(request=request, device=device)
    return device


# Removal ---------------------------------------------------------------------


def factor_remove(*, user: User, device: Device, request) -> None:
    """Remove one factor. Backup codes cannot be removed, and the last factor a
    person can sign in with alone cannot be removed either."""
    kind = factor_kind(device)
    if kind == FactorKind.BACKUP:
        raise FactorError(BACKUP_NOT_REMOVABLE)
    with transaction.atomic():
        # Lock the person's row so two removals at once cannot both pass the check.
        User.objects.select_for_update().get(pk=user.pk)
        others = [d for d in primary_factors(user=user) if d != device]
        if not others:
            raise FactorError(LAST_FACTOR)
        was_session_device = getattr(request.user, "otp_device", None) == device
        device.delete()
        events.record(
            action="accounts.factor_removed",
            request=request,
            actor=user,
            object_type=f"{device._meta.app_label}.{device._meta.model_name}",
            object_id=str(device.pk),
            data={"factor": kind.value if kind else ""},
        )
        enqueue_notice(user=user, template=SECURITY_NOTICE)
    if was_session_device:
        # The session passed a check moments ago (removal needs step-up); keep it
        # verified on a factor that still exists rather than signing the person out.
        django_otp.login(request, others[0])


def devices_delete_all(*, user: User) -> int:
    """Remove every factor a person has (staff recovery). Returns how many."""
    removed = 0
    for model in _MODELS:
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return removed
