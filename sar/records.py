"""The service's records in a right-of-access response: finding them, and the
caseworker's saved selection of them for a subject case.

Staff search a service case's records by date range, kind and person, then
attach the ones that answer the request. Records a child shared in confidence
stay out of a parent's response unless a caseworker records why they are
included (``record_include_confidential``). Audit events carry ids and counts
only: the records' contents are personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.audit.events import record as audit
from sar import roles
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import Child, Person, Record, ServiceCase, SubjectCase, SubjectCaseRecord

NOT_CASE_STAFF = "Only caseworkers can choose records for a request."
NOT_REQUESTERS_RECORD = "That record is not on the requester's case, so it cannot be attached."
DECISION_REASON_NEEDED = "Say why this record, shared in confidence, is included."
NOT_CONFIDENTIAL = "This record was not shared in confidence, so no decision is needed."


def records_search(
    *,
    case: ServiceCase,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kinds: Iterable[str] = (),
    person: Person | Child | None = None,
) -> QuerySet[Record]:
    """The case's records, filtered: dates inclusive; ``kinds`` any of
    ``RecordKind``; ``person`` a third party the record mentions or a child
    it concerns. Text cannot be searched: it is encrypted."""
    records = Record.objects.filter(case=case)
    if date_from is not None:
        records = records.filter(date__gte=date_from)
    if date_to is not None:
        records = records.filter(date__lte=date_to)
    kinds = list(kinds)
    if kinds:
        records = records.filter(kind__in=kinds)
    if isinstance(person, Person):
        records = records.filter(mentions=person)
    elif isinstance(person, Child):
        records = records.filter(concerns=person)
    return records.order_by("date", "id")


def may_choose_records(actor) -> bool:
    """Whether ``actor`` may choose records for requests and decide on records
    shared in confidence: caseworkers (an approver checks the result)."""
    return roles.has_role(actor, roles.CASEWORKER)


def _check_staff(actor) -> None:
    if not may_choose_records(actor):
        raise NotPermitted(NOT_CASE_STAFF)


@transaction.atomic
def records_attach(
    *, subject_case: SubjectCase, records: Iterable[Record], actor
) -> list[SubjectCaseRecord]:
    """Add ``records`` to the subject case's selection; records already
    selected stay as they were. Returns the selections made now."""
    _check_staff(actor)
    records = list(records)
    requester_id = subject_case.request.requester_id
    case_users = dict(
        ServiceCase.objects.filter(pk__in={r.case_id for r in records}).values_list(
            "pk", "service_user_id"
        )
    )
    if any(case_users.get(r.case_id) != requester_id for r in records):
        raise RuleViolation(NOT_REQUESTERS_RECORD)
    already = set(
        SubjectCaseRecord.objects.filter(subject_case=subject_case).values_list(
            "record_id", flat=True
        )
    )
    now = timezone.now()
    new = [
        SubjectCaseRecord(subject_case=subject_case, record=r, added_by=actor, added_at=now)
        for r in {r.pk: r for r in records if r.pk not in already}.values()
    ]
    SubjectCaseRecord.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        audit(
            action="sar.records.attach",
            actor=actor,
            obj=subject_case,
            data={"record_ids": sorted(s.record_id for s in new)},
        )
    return new


@transaction.atomic
def records_detach(*, subject_case: SubjectCase, records: Iterable[Record], actor) -> int:
    """Remove ``records`` from the selection; returns how many were removed."""
    _check_staff(actor)
    ids = sorted({r.pk for r in records})
    selected = SubjectCaseRecord.objects.filter(subject_case=subject_case, record_id__in=ids)
    removed_ids = sorted(selected.values_list("record_id", flat=True))
    selected.delete()
    if removed_ids:
        audit(
            action="sar.records.detach",
            actor=actor,
            obj=subject_case,
            data={"record_ids": removed_ids},
        )
    return len(removed_ids)


@transaction.atomic
def record_include_confidential(*, record: Record, reason: str, actor) -> Record:
    """Record the caseworker's decision to include a record the child shared in
    confidence in responses to their parent, and why."""
    _check_staff(actor)
    reason = reason.strip()
    if not reason:
        raise RuleViolation(DECISION_REASON_NEEDED)
    record = Record.objects.select_for_update().get(pk=record.pk)
    if not record.shared_in_confidence_by_child:
        raise RuleViolation(NOT_CONFIDENTIAL)
    record.include_confidential_decision = reason
    record.decided_by = actor
    record.decided_at = timezone.now()
    record.save(update_fields=["include_confidential_decision", "decided_by", "decided_at"])
    audit(action="sar.records.include_confidential", actor=actor, obj=record)
    return record


def records_in_scope(subject_case: SubjectCase) -> QuerySet[Record]:
    """The selected records that go into the response: everything selected
    except what a child shared in confidence, unless its inclusion was decided."""
    return (
        Record.objects.filter(selections__subject_case=subject_case)
        .filter(Q(shared_in_confidence_by_child=False) | Q(decided_at__isnull=False))
        .order_by("date", "id")
    )
