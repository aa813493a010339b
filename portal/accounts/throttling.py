"""Per-account and per-address limits on sign-in, second-factor checks and
sending email codes, on top of django-otp's own per-device back-off.

A limit counts failures for a key (an email address or an IP address, stored
only as a hash). When the count reaches the limit's maximum the key is locked
until a stored time; the lock ends on the clock (``timezone.now``), not only on
the cache's expiry, so it ends on time whatever the cache backend. Lockouts and
their end are audit events.

The cache must be shared by every web process (settings: Redis or the database
cache). Counting uses ``cache.add`` + ``cache.incr``, which is atomic on Redis;
on the database cache two simultaneous failures may count once, which only
lets an attacker one or two attempts more, and django-otp's per-device throttle
(a row lock in the database) still applies.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import ngettext

from portal.audit import events


@dataclass(frozen=True)
class Limit:
    """A kind of attempt that is limited, and how."""

    name: str
    setting: str  # the settings name holding the maximum
    audit_kind: str

    @property
    def max_attempts(self) -> int:
        return getattr(settings, self.setting)

    @property
    def lockout_seconds(self) -> int:
        return settings.ACCOUNT_LOCKOUT_SECONDS


SIGN_IN_ACCOUNT = Limit("sign-in-account", "SIGN_IN_MAX_FAILURES", "sign_in")
SIGN_IN_ADDRESS = Limit("sign-in-ip", "IP_MAX_FAILURES", "sign_in")
OTP_ACCOUNT = Limit("otp-account", "OTP_MAX_FAILURES", "verification")
OTP_ADDRESS = Limit("otp-ip", "IP_MAX_FAILURES", "verification")
EMAIL_CODE_ACCOUNT = Limit("email-code-account", "EMAIL_CODE_MAX_SENDS", "email_code")
EMAIL_CODE_ADDRESS = Limit("email-code-ip", "IP_MAX_FAILURES", "email_code")


class Locked(Exception):
    """Too many attempts: the person must wait ``retry_after`` seconds."""

    def __init__(self, retry_after: float):
        self.retry_after = max(0.0, retry_after)
        super().__init__(locked_message(seconds=self.retry_after))


def locked_message(*, seconds: float) -> str:
    if seconds < 60:
        whole = max(1, math.ceil(seconds))
        return ngettext(
            "You have tried too many times. Try again in %(seconds)d second.",
            "You have tried too many times. Try again in %(seconds)d seconds.",
            whole,
        ) % {"seconds": whole}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "You have tried too many times. Try again in %(minutes)d minute.",
        "You have tried too many times. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _digest(value: str) -> str:
    # Cache keys never hold an email or IP address in the clear.
    keyed = f"{settings.SECRET_KEY}:{value.strip().lower()}".encode()
    return hashlib.sha256(keyed).hexdigest()[:40]


def _keys(limit: Limit, value: str) -> tuple[str, str]:
    digest = _digest(value)
    return f"throttle:{limit.name}:{digest}:count", f"throttle:{limit.name}:{digest}:lock"


def check(*, limit: Limit, value: str, request=None, actor=None) -> None:
    """Raise ``Locked`` if ``value`` is locked for ``limit``. A lock whose time
    has passed is removed here, and its end recorded."""
    if not value:
        return
    count_key, lock_key = _keys(limit, value)
    locked_until = cache.get(lock_key)
    if locked_until is None:
        return
    remaining = locked_until - timezone.now().timestamp()
    if remaining > 0:
        raise Locked(remaining)
    cache.delete_many([lock_key, count_key])
    events.record(
        action="accounts.lockout_ended",
        actor=actor,
        request=request,
        data={"kind": limit.audit_kind, "scope": _scope(limit)},
    )


def register_failure(*, limit: Limit, value: str, request=None, actor=None) -> None:
    """Count one failure; at the maximum, lock and raise ``Locked``."""
    if not value:
        return
    count_key, lock_key = _keys(limit, value)
    lockout = limit.lockout_seconds
    # The count lives as long as a lockout would: failures spread wider than
    # that start again from nothing.
    cache.add(count_key, 0, timeout=lockout)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, timeout=lockout)
        count = 1
    if count < limit.max_attempts:
        return
    locked_until = timezone.now().timestamp() + lockout
    # The cache keeps the lock a little longer than it lasts; check() ends it.
    cache.set(lock_key, locked_until, timeout=lockout + 300)
    cache.delete(count_key)
    events.record(
        action="accounts.lockout_started",
        actor=actor,
        request=request,
        data={"kind": limit.audit_kind, "scope": _scope(limit), "seconds": lockout},
    )
    raise Locked(lockout)


def reset(*, limit: Limit, value: str) -> None:
    """Forget failures after a success (the lock itself is left to run out)."""
    if value:
        count_key, _ = _keys(limit, value)
        cache.delete(count_key)


def _scope(limit: Limit) -> str:
    return "address" if limit.name.endswith("-ip") else "account"


def client_address(request) -> str:
    """The address limits are counted against (the same one the audit trail records)."""
    return events.client_ip(request) or ""
