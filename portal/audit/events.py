"""Recording, verifying and erasing audit events: the one door into the audit trail.

Every state change and every read of personal records calls ``record``. Events
are chained by SHA-256 so ``verify_chain`` can prove nothing was altered or
removed from the middle of the trail. ``erase_personal`` blanks the personal
fields (reason and IP address) of the events about objects that have been
disposed of; the chain covers those fields only through a salted digest, so it
still verifies afterwards (see ``AuditEvent``).
"""

import datetime
import hashlib
import hmac
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

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

    salt = secrets.token_hex(16)
    event = AuditEvent(
        actor=actor,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        reason=reason,
        ip_address=ip_address,
        data=data,
        personal_salt=salt,
        personal_digest=personal_digest(salt=salt, reason=reason, ip_address=ip_address),
    )
    _append(event)
    return event


def personal_digest(*, salt: str, reason: str, ip_address: str | None) -> str:
    """HMAC-SHA256 of an event's personal fields, keyed with its own salt."""
    message = json.dumps([reason, ip_address], separators=(",", ":"), ensure_ascii=False)
    return hmac.new(bytes.fromhex(salt), message.encode("utf-8"), hashlib.sha256).hexdigest()


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
    """SHA-256 hex over a canonical JSON of the event and its predecessor's hash.

    The personal fields enter only as their digest, so erasing them leaves the
    hash as it was; an event written before the digest existed hashes them
    as they are."""
    timestamp = event.timestamp.astimezone(datetime.UTC).isoformat()
    if event.personal_digest:
        personal = [{"personal_digest": event.personal_digest}]
    else:
        personal = [event.reason, event.ip_address]
    payload = [
        event.previous_hash,
        timestamp,
        event.actor_id,
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        *personal,
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
        if not _personal_fields_intact(event):
            return VerifyResult(
                ok=False,
                checked=checked,
                first_broken_id=event.pk,
                message="its reason or IP address does not match its digest (the event "
                "was altered)",
            )
        previous_hash = event.hash
        checked += 1
    return VerifyResult(ok=True, checked=checked, message=f"{checked} events checked.")


def _personal_fields_intact(event: AuditEvent) -> bool:
    """The reason and IP address are the ones the digest was made of, or were
    erased (blank, with the salt gone)."""
    if not event.personal_digest:
        return True  # hashed as they are: compute_hash has checked them
    if not event.personal_salt:
        return event.reason == "" and event.ip_address is None
    expected = personal_digest(
        salt=event.personal_salt, reason=event.reason, ip_address=event.ip_address
    )
    return hmac.compare_digest(expected, event.personal_digest)


@dataclass(frozen=True)
class ErasureResult:
    """What ``erase_personal`` did: events whose personal fields were blanked,
    and events about the same objects written before that was possible (their
    text stays: the chain hashes it)."""

    erased: int
    not_erasable: int


# Object ids per query: well inside every database's parameter limit.
_ERASE_BATCH = 500


def erase_personal(
    *, objects: Iterable[tuple[str, str | int]], actor=None, reason: str = ""
) -> ErasureResult:
    """Blank the reason and IP address of every event about ``objects``
    (``(object_type, object_id)`` pairs, as ``record`` stores them, e.g.
    ``("sar.subjectcase", 12)``), and record that it was done. The events stay,
    with who, what, when and the identifiers in ``data``; ``verify_chain``
    still passes. Call inside the transaction that disposes of the objects."""
    ids_by_type: dict[str, set[str]] = defaultdict(set)
    for object_type, object_id in objects:
        ids_by_type[object_type].add(str(object_id))
    erased = not_erasable = 0
    with transaction.atomic():
        for object_type, ids in sorted(ids_by_type.items()):
            ordered = sorted(ids)
            for start in range(0, len(ordered), _ERASE_BATCH):
                batch = ordered[start : start + _ERASE_BATCH]
                events = AuditEvent.objects.filter(object_type=object_type, object_id__in=batch)
                not_erasable += (
                    events.filter(personal_digest="")
                    .filter(~Q(reason="") | Q(ip_address__isnull=False))
                    .count()
                )
                erased += events.erase_personal_fields()
        record(
            action="audit.personal_erased",
            actor=actor,
            reason=reason,
            data={
                "object_types": sorted(ids_by_type),
                "objects": sum(len(ids) for ids in ids_by_type.values()),
                "events_erased": erased,
                "events_not_erasable": not_erasable,
            },
        )
    return ErasureResult(erased=erased, not_erasable=not_erasable)
