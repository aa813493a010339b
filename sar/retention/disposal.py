"""Disposing of a service case: what goes, and the one function that does it
once a caseworker has confirmed (never the daily check).

What goes is written down once, in ``PLAN``: for every model that holds
personal data (``sar.personal_data`` and ``appointments.personal_data``), the
rows a disposal deletes, in an order the database's PROTECT links allow. A
test fails when a model with personal data, or a model that PROTECTs a link
to one of these, is missing from it, so a new field or model cannot be
forgotten. Files (record attachments, bundle PDFs) are the ``FileField``\\ s
among the personal fields; they are deleted from storage once the deletion
has committed.

The scope: the case's records and the people they mention; its children,
unless another service case still has them; the subject cases about those
children (and their bundles, redactions, timeline and holds), and the
requests left with no subject case; consents about those children; and,
when this is the service user's last service case, their own subject cases
and consents too. The service user's account is not deleted: it is theirs
to close, and the audit trail names who acted by account.

What stays: a ``DisposalTombstone`` (numbers, references, dates, counts, who
confirmed), from which the disposal certificate is rendered, and the audit
trail's events, with their personal fields erased (``erase_personal``) so the
hash chain still verifies.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from appointments.models import Booking
from portal.audit.events import erase_personal, record
from sar import deadlines, roles
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import (
    AccessRequest,
    Bundle,
    Child,
    ConsentToDisclose,
    DisposalDue,
    DisposalTombstone,
    Person,
    Record,
    Redaction,
    SafeguardingHold,
    ServiceCase,
    SubjectCase,
    SubjectKind,
    TimelineEntry,
)
from sar.personal_data import PERSONAL_DATA
from sar.retention import queue

logger = logging.getLogger(__name__)

NOT_CASEWORKER = "Only a caseworker can dispose of a case."
OWN_CASE = "You cannot dispose of your own case. Ask a colleague to do it."
NOT_DUE = "This case is not due for disposal. The retention rule no longer lists it."
TYPED_WRONG = "Type the case's name exactly as shown to confirm."
ERASURE_REASON = "Retention period ended: the case was disposed of."


def confirmation_phrase(service_case: ServiceCase) -> str:
    """What the caseworker types to confirm: the case's name ("Service case 12")."""
    return str(service_case)


def _normalise(text: str) -> str:
    return " ".join((text or "").split()).casefold()


@dataclass(frozen=True)
class DisposalScope:
    """The ids a disposal of one service case reaches (see the module's docstring)."""

    service_case_id: int
    child_ids: frozenset[int]
    subject_case_ids: frozenset[int]
    request_ids: frozenset[int]
    consent_ids: frozenset[int]


def disposal_scope(service_case: ServiceCase) -> DisposalScope:
    user_id = service_case.service_user_id
    last_case = (
        not ServiceCase.objects.filter(service_user_id=user_id).exclude(pk=service_case.pk).exists()
    )
    children = set(service_case.children.values_list("pk", flat=True))
    if last_case:
        children |= set(Child.objects.filter(parent_id=user_id).values_list("pk", flat=True))
    links = ServiceCase.children.through.objects
    elsewhere = set(
        links.filter(child_id__in=children)
        .exclude(servicecase_id=service_case.pk)
        .values_list("child_id", flat=True)
    )
    child_ids = frozenset(children - elsewhere)

    about = Q(child_id__in=child_ids)
    own_consents = Q(child_id__in=child_ids)
    if last_case:
        about |= Q(request__requester_id=user_id, kind=SubjectKind.REQUESTER)
        own_consents |= Q(parent_id=user_id, child__isnull=True)
    subject_case_ids = frozenset(SubjectCase.objects.filter(about).values_list("pk", flat=True))
    touched = set(
        SubjectCase.objects.filter(pk__in=subject_case_ids).values_list("request_id", flat=True)
    )
    kept = set(
        SubjectCase.objects.filter(request_id__in=touched)
        .exclude(pk__in=subject_case_ids)
        .values_list("request_id", flat=True)
    )
    return DisposalScope(
        service_case_id=service_case.pk,
        child_ids=child_ids,
        subject_case_ids=subject_case_ids,
        request_ids=frozenset(touched - kept),
        consent_ids=frozenset(
            ConsentToDisclose.objects.filter(own_consents).values_list("pk", flat=True)
        ),
    )


def _holds(scope: DisposalScope) -> QuerySet:
    ids = SafeguardingHold.objects.filter(
        Q(service_case_id=scope.service_case_id) | Q(subject_case_id__in=scope.subject_case_ids)
    ).values_list("pk", flat=True)
    return SafeguardingHold.objects.filter(pk__in=list(ids))


# What a disposal deletes, model by model, in the order it deletes them:
# everything that PROTECTs a link to a later row goes first.
PLAN: tuple[tuple[str, Callable[[DisposalScope], QuerySet]], ...] = (
    ("appointments.Booking", lambda s: Booking.objects.filter(request_id__in=s.request_ids)),
    ("sar.SafeguardingHold", _holds),
    ("sar.Bundle", lambda s: Bundle.objects.filter(subject_case_id__in=s.subject_case_ids)),
    (
        "sar.Redaction",
        lambda s: Redaction.objects.filter(
            Q(subject_case_id__in=s.subject_case_ids) | Q(record__case_id=s.service_case_id)
        ),
    ),
    (
        "sar.TimelineEntry",
        lambda s: TimelineEntry.objects.filter(
            Q(request_id__in=s.request_ids) | Q(case_id__in=s.subject_case_ids)
        ),
    ),
    ("sar.SubjectCase", lambda s: SubjectCase.objects.filter(pk__in=s.subject_case_ids)),
    ("sar.AccessRequest", lambda s: AccessRequest.objects.filter(pk__in=s.request_ids)),
    ("sar.ConsentToDisclose", lambda s: ConsentToDisclose.objects.filter(pk__in=s.consent_ids)),
    ("sar.Record", lambda s: Record.objects.filter(case_id=s.service_case_id)),
    ("sar.Person", lambda s: Person.objects.filter(case_id=s.service_case_id)),
    ("sar.DisposalDue", lambda s: DisposalDue.objects.filter(service_case_id=s.service_case_id)),
    ("sar.ServiceCase", lambda s: ServiceCase.objects.filter(pk=s.service_case_id)),
    ("sar.Child", lambda s: Child.objects.filter(pk__in=s.child_ids)),
)
PLAN_LABELS = tuple(label for label, _ in PLAN)

# Models with personal data that a disposal leaves alone, and why.
NOT_CASE_DATA = {
    # A member of staff's own leave ("sick", "annual leave"), not a family's.
    "appointments.Closure",
}


def _personal_fields(label: str) -> tuple[str, ...]:
    from appointments.personal_data import PERSONAL_DATA as APPOINTMENTS_PERSONAL_DATA

    return PERSONAL_DATA.get(label) or APPOINTMENTS_PERSONAL_DATA.get(label, ())


def _file_fields(label: str) -> list[str]:
    model = apps.get_model(label)
    return [
        name
        for name in _personal_fields(label)
        if isinstance(model._meta.get_field(name), models.FileField)
    ]


@dataclass(frozen=True)
class Inventory:
    """What a disposal would destroy: counts by model, records by kind, the
    files, and every (object type, id) for the audit trail's erasure."""

    counts: dict[str, int]
    records_by_kind: dict[str, int]
    files: tuple[str, ...]
    objects: tuple[tuple[str, int], ...]
    references: tuple[str, ...]

    @property
    def file_count(self) -> int:
        return len(self.files)


def inventory(service_case: ServiceCase) -> Inventory:
    """What disposing of ``service_case`` would destroy (the confirmation
    screen shows it; ``disposal_confirm`` records it on the tombstone)."""
    scope = disposal_scope(service_case)
    counts: dict[str, int] = {}
    files: list[str] = []
    objects: list[tuple[str, int]] = []
    for label, rows in PLAN:
        queryset = rows(scope)
        model = queryset.model
        pks = list(queryset.values_list("pk", flat=True))
        counts[label] = len(pks)
        objects.extend((model._meta.label_lower, pk) for pk in pks)
        for field in _file_fields(label):
            files.extend(name for name in queryset.values_list(field, flat=True).order_by() if name)
    kinds = Counter(
        Record.objects.filter(case_id=scope.service_case_id).values_list("kind", flat=True)
    )
    references = (
        AccessRequest.objects.filter(cases__pk__in=scope.subject_case_ids)
        .values_list("reference", flat=True)
        .distinct()
    )
    return Inventory(
        counts=counts,
        records_by_kind=dict(sorted(kinds.items())),
        files=tuple(sorted(files)),
        objects=tuple(objects),
        references=tuple(sorted(references)),
    )


# The disposal's own bookkeeping, not things the service held about anyone:
# left out when saying what was destroyed.
BOOKKEEPING = ("sar.DisposalDue", "sar.ServiceCase")


def destroyed(by_model: dict[str, int], *, skip_empty: bool = False) -> list[tuple[str, int]]:
    """Counts by model (``Inventory.counts``, a tombstone's ``by_model``) in
    words: [("records", 40), ("people mentioned", 6), ...]."""
    return [
        (str(apps.get_model(label)._meta.verbose_name_plural), count)
        for label, count in by_model.items()
        if label not in BOOKKEEPING and not (skip_empty and not count)
    ]


def _delete_files(names) -> None:
    """Remove the files from storage (after the deletion has committed, so a
    disposal that rolls back loses nothing). A file that cannot be removed is
    logged by its random name, never by anything about the person."""
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        # Broad: a disk raises OSError, an S3 bucket botocore's own errors (a
        # timeout, a refused permission); either way the rows are already gone,
        # so the file is left for a person to remove, never a failed disposal.
        except Exception:
            logger.exception("Could not delete the disposed file %s; remove it by hand.", name)


def _lock_scope(service_case: ServiceCase) -> None:
    """Lock the requests and subject cases a disposal reaches, in the order
    the workflow locks them (request, then its cases), so a hold or a step
    taken at the same moment either lands first, and is seen by the checks,
    or waits and finds nothing left."""
    case_ids = disposal_scope(service_case).subject_case_ids
    request_ids = set(
        SubjectCase.objects.filter(pk__in=case_ids).values_list("request_id", flat=True)
    )
    list(AccessRequest.objects.select_for_update().filter(pk__in=request_ids).order_by("pk"))
    list(SubjectCase.objects.select_for_update().filter(pk__in=case_ids).order_by("pk"))


def disposal_confirm(*, service_case: ServiceCase, actor, typed: str) -> DisposalTombstone:
    """Dispose of ``service_case`` (a caseworker, having typed its name): delete
    everything in ``PLAN``'s reach, erase the personal fields of the audit
    events about it, and leave a tombstone. Refused unless the case is due
    (the rule is applied again now), no safeguarding hold covers it and no
    request about it is still open."""
    if not roles.has_role(actor, roles.CASEWORKER):
        raise NotPermitted(NOT_CASEWORKER)
    if _normalise(typed) != _normalise(confirmation_phrase(service_case)):
        raise RuleViolation(TYPED_WRONG)
    with transaction.atomic():
        service_case = ServiceCase.objects.select_for_update().get(pk=service_case.pk)
        if service_case.service_user_id == actor.pk:
            raise NotPermitted(OWN_CASE)
        _lock_scope(service_case)
        decision = queue.disposal_date(service_case)
        if (
            decision is None
            or decision.due_on > deadlines.today()
            or not DisposalDue.objects.filter(service_case=service_case).exists()
        ):
            raise RuleViolation(NOT_DUE)
        blocked = queue.blocked_reason(service_case)
        if blocked:
            raise RuleViolation(blocked)

        found = inventory(service_case)
        scope = disposal_scope(service_case)
        number, opened_on, closed_on = (
            service_case.pk,
            service_case.opened_on,
            service_case.closed_on,
        )
        for _label, rows in PLAN:
            rows(scope).delete()
        erasure = erase_personal(objects=found.objects, actor=actor, reason=ERASURE_REASON)
        tombstone = DisposalTombstone.objects.create(
            service_case_number=number,
            references=list(found.references),
            opened_on=opened_on,
            closed_on=closed_on,
            rule=decision.rule,
            counts={
                "by_model": found.counts,
                "records_by_kind": found.records_by_kind,
                "files": found.file_count,
                "audit_events_not_erasable": erasure.not_erasable,
            },
            audit_events_erased=erasure.erased,
            confirmed_by=actor,
            confirmed_at=timezone.now(),
        )
        record(
            action="sar.disposal.confirmed",
            actor=actor,
            obj=tombstone,
            reason=ERASURE_REASON,
            data={
                "service_case": number,
                "references": list(found.references),
                "counts": found.counts,
                "files": found.file_count,
                "audit_events_erased": erasure.erased,
            },
        )
        files = found.files
        transaction.on_commit(lambda: _delete_files(files))
    return tombstone
