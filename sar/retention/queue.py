"""The disposal queue: a daily django-q2 schedule (``SCHEDULE_NAME``, made by
migration ``sar.0005_retention`` and by ``ensure_schedule``) runs
``sar.retention.tasks.refresh_disposal_queue``, which applies the retention
rule (``rules.disposal_due_on``) to every service case and lists those due
(``DisposalDue``) for a caseworker to confirm. It never deletes anything but
queue entries that are no longer due (a left-education date corrected, a
child added).

Also here: recording the day a child left education (staff), and the reads
the retention screens share.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal import schedules
from portal.audit.events import record
from sar import deadlines, roles
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import (
    ANSWERED_STATUSES,
    Child,
    DisposalDue,
    SafeguardingHold,
    ServiceCase,
    SubjectCase,
)
from sar.retention import rules

SCHEDULE_NAME = "sar: list cases due for disposal"
SCHEDULE_FUNC = "sar.retention.tasks.refresh_disposal_queue"
# Early in the morning, London time, when nobody is working on cases.
SCHEDULE_AT = datetime.time(2, 0)

LEFT_EDUCATION_IN_FUTURE = "The date the child left education cannot be in the future."
LEFT_EDUCATION_BEFORE_BIRTH = "The date the child left education must be after they were born."
NOT_CASEWORKER = "Only a caseworker can record this."

# Why a case that is due cannot be disposed of yet (shown in the queue, and
# the message when confirming is refused).
BLOCKED_BY_HOLD = (
    "A safeguarding hold stands on this case, so it cannot be disposed of until the hold is lifted."
)
BLOCKED_BY_OPEN_REQUEST = (
    "A right-of-access request about this case is still open. Finish it before the case "
    "is disposed of."
)


def grace_days() -> int:
    return settings.RETENTION_GRACE_DAYS


def closed_no_children_days() -> int:
    return settings.RETENTION_CLOSED_NO_CHILDREN_DAYS


def disposal_date(service_case: ServiceCase) -> rules.DisposalDate | None:
    """When ``service_case`` is due for disposal under the configured periods."""
    return rules.disposal_due_on(
        children=[
            rules.ChildDates(c.date_of_birth, c.left_education_on)
            for c in service_case.children.all()
        ],
        closed_on=service_case.closed_on,
        grace_days=grace_days(),
        closed_no_children_days=closed_no_children_days(),
    )


@dataclass(frozen=True)
class RefreshResult:
    listed: int
    updated: int
    removed: int
    due: int


def disposals_refresh(*, today: datetime.date | None = None) -> RefreshResult:
    """List every service case due for disposal on ``today`` (London), update
    the entries already listed, and remove those no longer due. Idempotent:
    running it twice in a day changes nothing the second time but the
    "last checked" time. Audited (ids only)."""
    today = today or deadlines.today()
    now = timezone.now()
    listed = updated = removed = 0
    with transaction.atomic():
        existing = {d.service_case_id: d for d in DisposalDue.objects.select_for_update()}
        cases = ServiceCase.objects.prefetch_related("children").order_by("pk")
        for service_case in cases.iterator(chunk_size=500):
            decision = disposal_date(service_case)
            entry = existing.pop(service_case.pk, None)
            if decision is None or decision.due_on > today:
                if entry is not None:
                    entry.delete()
                    removed += 1
                    record(action="sar.disposal.unlisted", obj=service_case)
                continue
            if entry is None:
                DisposalDue.objects.create(
                    service_case=service_case,
                    due_on=decision.due_on,
                    rule=decision.rule,
                    listed_at=now,
                    checked_at=now,
                )
                listed += 1
                record(action="sar.disposal.listed", obj=service_case, data={"rule": decision.rule})
                continue
            changed = (entry.due_on, entry.rule) != (decision.due_on, decision.rule)
            entry.due_on, entry.rule, entry.checked_at = decision.due_on, decision.rule, now
            entry.save(update_fields=["due_on", "rule", "checked_at"])
            updated += changed
        due = DisposalDue.objects.count()
        record(
            action="sar.disposal.checked",
            data={"listed": listed, "updated": updated, "removed": removed, "due": due},
        )
    return RefreshResult(listed=listed, updated=updated, removed=removed, due=due)


def ensure_schedule():
    """The daily schedule, created if missing (``portal.schedules``), first
    running at the next ``SCHEDULE_AT`` in London."""
    from django_q.models import Schedule

    london_now = timezone.now().astimezone(deadlines.LONDON)
    next_run = datetime.datetime.combine(london_now.date(), SCHEDULE_AT, tzinfo=deadlines.LONDON)
    if next_run <= london_now:
        next_run += datetime.timedelta(days=1)
    return schedules.ensure_schedule(
        name=SCHEDULE_NAME, func=SCHEDULE_FUNC, schedule_type=Schedule.DAILY, next_run=next_run
    )


# Why a due case cannot go yet ------------------------------------------------------


def scope_subject_cases(service_case: ServiceCase) -> QuerySet[SubjectCase]:
    """The subject cases a disposal of ``service_case`` would touch: those about
    its children, and the service user's own (``sar.retention.disposal``
    narrows this to what is not still needed by another service case)."""
    from sar.retention.disposal import disposal_scope

    return SubjectCase.objects.filter(pk__in=disposal_scope(service_case).subject_case_ids)


def is_held(service_case: ServiceCase) -> bool:
    """Whether a standing safeguarding hold covers the case or anything a
    disposal of it would destroy."""
    standing = SafeguardingHold.objects.filter(lifted_at__isnull=True)
    return (
        standing.filter(service_case=service_case).exists()
        or standing.filter(cases__in=scope_subject_cases(service_case)).exists()
    )


def blocked_reason(service_case: ServiceCase) -> str:
    """Why ``service_case`` cannot be disposed of now ("" when it can)."""
    if is_held(service_case):
        return BLOCKED_BY_HOLD
    if scope_subject_cases(service_case).exclude(status__in=ANSWERED_STATUSES).exists():
        return BLOCKED_BY_OPEN_REQUEST
    return ""


def queue_for_staff(viewer) -> QuerySet[DisposalDue]:
    """The queue as ``viewer`` may see it: everything for those who may see
    safeguarding holds; for anyone else, without the cases a hold covers
    (whose hold they may not learn of)."""
    entries = DisposalDue.objects.select_related("service_case__service_user").order_by(
        "due_on", "service_case_id"
    )
    if roles.may_see_holds(viewer):
        return entries
    held = [e.pk for e in entries if is_held(e.service_case)]
    return entries.exclude(pk__in=held)


def service_cases_for_staff(viewer) -> QuerySet[ServiceCase]:
    """Every service case, for the retention list: for those who may not see
    holds, without service cases under a hold of their own."""
    cases = ServiceCase.objects.select_related("service_user").prefetch_related("children")
    if not roles.may_see_holds(viewer):
        held = SafeguardingHold.objects.filter(
            lifted_at__isnull=True, service_case__isnull=False
        ).values("service_case_id")
        cases = cases.exclude(pk__in=held)
    return cases.order_by("pk")


# Left education ---------------------------------------------------------------------


def child_record_left_education(*, child: Child, left_on: datetime.date | None, actor) -> Child:
    """Record (or, with None, clear) the day ``child`` left education, as
    staff learned it. Audited; the queue picks the change up on its next run."""
    if not roles.has_role(actor, roles.CASEWORKER):
        raise NotPermitted(NOT_CASEWORKER)
    if left_on is not None:
        if left_on > deadlines.today():
            raise RuleViolation(LEFT_EDUCATION_IN_FUTURE)
        if left_on <= child.date_of_birth:
            raise RuleViolation(LEFT_EDUCATION_BEFORE_BIRTH)
    with transaction.atomic():
        child = Child.objects.select_for_update().get(pk=child.pk)
        if child.parent_id == actor.pk:
            raise NotPermitted(NOT_CASEWORKER)
        child.left_education_on = left_on
        child.save(update_fields=["left_education_on"])
        record(
            action="sar.child.left_education_recorded",
            actor=actor,
            obj=child,
            data={"recorded": left_on is not None},
        )
    return child
