"""Recording and verifying audit events: the one door into the audit trail.

Every state change and every read of personal records calls ``record``. Events
are chained by SHA-256 so ``verify_chain`` can prove nothing was altered or
removed from the middle of the trail.
"""

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from portal.audit.models import AuditEvent

logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that serialises appends to the chain
# (any constant unique to this purpose; b"audit" as an integer).
_CHAIN_LOCK_KEY = 0x6175646974

SYSTEM_LABEL = "system"


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the whole chain."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    message: str = ""


def record(
    *,
    action: str,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
    request=None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit trail and return it.

    ``obj`` (any model instance) fills ``object_type``/``object_id``; ``request``
    supplies the IP address and, when ``actor`` is not given, the signed-in user.
    ``data`` holds identifiers and codes only, never personal data.
    """
    if not action:
        raise ValueError("An audit event needs an action.")
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id if object_id != "" else obj.pk
    ip_address = None
    if request is not None:
        user = getattr(request, "user", None)
        if actor is None and user is not None and user.is_authenticated:
            actor = user
        ip_address = client_ip(request)
    # A JSON round trip gives exactly what the database hands back later
    # (string keys, lists for tuples), so the hash verifies after reloading.
    data = json.loads(json.dumps(data or {}))

    event = AuditEvent(
        actor=actor,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        reason=reason,
        ip_address=ip_address,
        data=data,
    )
    _append(event)
    return event


def actor_label(actor) -> str:
    """A label that says who acted without naming them."""
    if actor is None:
        return SYSTEM_LABEL
    role = "staff" if actor.is_staff else "parent"
    return f"{role} #{actor.pk}"


def client_ip(request) -> str | None:
    """The client's address. X-Forwarded-For is only believed behind a proxy
    (BEHIND_PROXY sets SECURE_PROXY_SSL_HEADER): otherwise anyone could write
    any address into the trail. The proxy must overwrite, not append to, the
    header, since its first address is the one taken."""
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[0].strip()
    try:
        # The model field's own normalisation (IPv6 compression), so the hash
        # is computed over what is stored.
        return AuditEvent._meta.get_field("ip_address").to_python(address) or None
    except ValidationError:
        return None


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 hex over a canonical JSON of the event and its predecessor's hash."""
    timestamp = event.timestamp.astimezone(datetime.UTC).isoformat()
    payload = [
        event.previous_hash,
        timestamp,
        event.actor_id,
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.reason,
        event.ip_address,
        event.data,
    ]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _append(event: AuditEvent) -> None:
    """Chain ``event`` onto the latest one and insert it, one writer at a time.

    Two writers reading the same latest hash would fork the chain, so appends
    are serialised for the length of the transaction: PostgreSQL by an advisory
    lock, SQLite because settings open every transaction with BEGIN IMMEDIATE
    (the database write lock). The timestamp is taken under the lock so id order
    and time order agree.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        latest = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.previous_hash = latest or ""
        event.timestamp = datetime.datetime.now(datetime.UTC)
        event.hash = compute_hash(event)
        event.save()


def verify_chain() -> VerifyResult:
    """Recompute every hash in id order and report the first event that does
    not match (altered, or its predecessor altered or removed)."""
    previous_hash = ""
    checked = 0
    events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    for event in events:
        if event.previous_hash != previous_hash:
            return VerifyResult(
                ok=False,
                checked=checked,
                first_broken_id=event.pk,
                message="its previous hash does not match the event before it "
                "(an event was removed or altered)",
            )
        if compute_hash(event) != event.hash:
            return VerifyResult(
                ok=False,
                checked=checked,
                first_broken_id=event.pk,
                message="its contents do not match its hash (the event was altered)",
            )
        previous_hash = event.hash
        checked += 1
    return VerifyResult(ok=True, checked=checked, message=f"{checked} events checked.")
