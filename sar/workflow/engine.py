"""The machinery every step shares: lock, check, change, save, then write
the timeline entry, the audit event and (for steps the parent sees) the
content-free email. The step functions in ``cases`` and ``requests`` say only
what is particular to them.

Locks are always taken request first, then its cases, so two steps on the same
request queue rather than deadlock, and a step that changes the shared clock
sees every case as it is.
"""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from portal.audit.events import record
from portal.notifications.email import enqueue_notice
from sar import clock, deadlines, roles
from sar.exceptions import InvalidTransition, NotPermitted, RuleViolation
from sar.models import (
    TERMINAL_STATUSES,
    AccessRequest,
    CaseStatus,
    SubjectCase,
    TimelineEntry,
)
from sar.workflow import messages
from sar.workflow.table import Transition, actor_may, transition

# A rule particular to one step: raises RuleViolation (or NotPermitted).
Check = Callable[[SubjectCase, object], None]
# What a step changes beyond the status: (case, actor, on) for a transition,
# (case, actor, now) for an action.
Change = Callable[[SubjectCase, object, datetime.date | datetime.datetime], None]


def lock_case(case: SubjectCase) -> SubjectCase:
    """Re-read ``case`` and its request under row locks (request first)."""
    request_id = SubjectCase.objects.values_list("request_id", flat=True).get(pk=case.pk)
    request = AccessRequest.objects.select_for_update().get(pk=request_id)
    # of=("self",): the child join is an outer join, which PostgreSQL will not lock.
    locked = (
        SubjectCase.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    )
    locked.request = request
    return locked


def lock_request(request: AccessRequest) -> tuple[AccessRequest, list[SubjectCase]]:
    """Re-read ``request`` and all its cases under row locks (request first)."""
    locked = AccessRequest.objects.select_for_update().get(pk=request.pk)
    cases = list(
        SubjectCase.objects.select_for_update(of=("self",))
        .select_related("child")
        .filter(request=locked)
        .order_by("id")
    )
    for case in cases:
        case.request = locked
    return locked, cases


def check_actor(t: Transition, actor, case: SubjectCase) -> None:
    """Raise ``NotPermitted`` unless ``actor`` holds a role ``t`` needs. Checked
    before the status, so someone without the role learns nothing about it."""
    if actor_may(t, actor, case):
        return
    if t.request_level:
        raise NotPermitted(messages.NOT_YOUR_REQUEST)
    if roles.is_requester(actor, case.request) and any(roles.has_role(actor, r) for r in t.roles):
        raise NotPermitted(messages.OWN_REQUEST)
    raise NotPermitted(messages.NOT_PERMITTED)


def check_source(t: Transition, case: SubjectCase) -> None:
    if case.status not in t.sources:
        raise InvalidTransition(
            messages.INVALID_TRANSITION.format(status=CaseStatus(case.status).label, action=t.label)
        )


def clean_reason(t: Transition, reason: str) -> str:
    reason = (reason or "").strip()
    if t.needs_reason and not reason:
        raise RuleViolation(
            messages.ANSWER_REQUIRED
            if t.name == "answer_clarification"
            else messages.REASON_REQUIRED
        )
    return reason


def enter_status(case: SubjectCase, t: Transition, *, now: datetime.datetime) -> None:
    """Move ``case`` along ``t``, remembering the status under a hold and
    stamping ``closed_at`` on entering a terminal status."""
    if t.restores():
        case.status, case.held_from_status = case.held_from_status, ""
    elif t.target == CaseStatus.ON_HOLD:
        case.status, case.held_from_status = t.target, case.status
    else:
        # Leaving a hold any other way (the parent withdrawing) forgets it.
        case.status, case.held_from_status = t.target, ""
    if case.status in TERMINAL_STATUSES:
        case.closed_at = now


def sync_clarification_pause(request: AccessRequest, *, on: datetime.date) -> None:
    """The request's clock is paused exactly while one of its cases waits for
    the parent's clarification; whichever step changes that pauses or restarts
    it. Call after saving the cases, then save the request."""
    waiting = request.cases.filter(status=CaseStatus.CLARIFICATION).exists()
    if waiting:
        clock.clock_pause(request, on=on)
    else:
        clock.clock_resume(request, on=on)


def timeline_message(t: Transition, reason: str) -> str:
    if t.parent_visible:
        return t.parent_message.format(reason=reason).strip()
    label = t.label[0].upper() + t.label[1:]
    return f"{label}. Reason: {reason}" if reason else f"{label}."


def log_step(
    *,
    kind: str,
    request: AccessRequest,
    case: SubjectCase | None,
    actor,
    message: str,
    now: datetime.datetime,
    visible_to_parent: bool = False,
    notice: str = "",
) -> TimelineEntry:
    """Write the timeline entry and, for an entry the parent sees that has a
    notice, queue the email."""
    entry = TimelineEntry.objects.create(
        request=request,
        case=case,
        at=now,
        actor=actor,
        kind=kind,
        message=message,
        visible_to_parent=visible_to_parent,
    )
    if visible_to_parent and notice:
        notify_parent(request=request, template=notice, key=f"sar:timeline:{entry.pk}")
    return entry


def notify_parent(*, request: AccessRequest, template: str, key: str) -> None:
    """Queue a content-free email to the requester. ``enqueue_notice`` itself
    sends only once the surrounding transaction commits (transaction.on_commit),
    so a step that rolls back emails nobody; calling it inside the transaction
    means an unknown template fails the step instead of failing after commit."""
    enqueue_notice(user=request.requester, template=template, key=key)


def audit_step(
    *,
    action: str,
    case: SubjectCase,
    actor,
    reason: str,
    entry: TimelineEntry,
    source: str = "",
    extra: dict | None = None,
) -> None:
    """The audit event: identifiers and statuses only in ``data``."""
    data = {"request": case.request.reference, "timeline_entry": entry.pk, "to": case.status}
    if source:
        data["from"] = source
    data.update(extra or {})
    record(action=action, actor=actor, obj=case, reason=reason, data=data)


def perform(
    name: str,
    *,
    case: SubjectCase,
    actor,
    reason: str = "",
    on: datetime.date | None = None,
    check: Check | None = None,
    change: Change | None = None,
    message: str | None = None,
    audit_reason: str | None = None,
    audit_data: dict | None = None,
) -> SubjectCase:
    """Take the case step ``name``: lock, check role, status, reason and the
    step's own rule, change, save, sync the clock, log, audit, notify.

    ``message`` and ``audit_reason`` replace the timeline's words and the
    audit event's reason where the step's reason must not be written there
    in plain text (a safeguarding hold's reason is kept encrypted on the
    hold; see ``sar.safeguarding``); ``audit_data`` adds identifiers."""
    t = transition(name)
    now = timezone.now()
    on = on or deadlines.today()
    with transaction.atomic():
        case = lock_case(case)
        request = case.request
        check_actor(t, actor, case)
        check_source(t, case)
        reason = clean_reason(t, reason)
        if check is not None:
            check(case, actor)
        source = case.status
        enter_status(case, t, now=now)
        if change is not None:
            change(case, actor, on)
        case.save()
        sync_clarification_pause(request, on=on)
        request.save()
        entry = log_step(
            kind=t.name,
            request=request,
            case=case,
            actor=actor,
            message=timeline_message(t, reason) if message is None else message,
            now=now,
            visible_to_parent=t.parent_visible,
            notice=t.notice,
        )
        if audit_reason is None:
            audit_reason = reason if t.audit_reason else ""
        audit_step(
            action=f"sar.case.{t.name}",
            case=case,
            actor=actor,
            reason=audit_reason,
            entry=entry,
            source=source,
            extra=audit_data,
        )
    return case


def act(
    name: str,
    *,
    case: SubjectCase,
    actor,
    change: Change,
    message: str,
    reason: str = "",
    check: Check | None = None,
) -> SubjectCase:
    """Take the recording action ``name`` (``ACTIONS``): lock, check role and
    that the case is not finished, change, save, log (staff only), audit."""
    t = transition(name)
    now = timezone.now()
    with transaction.atomic():
        case = lock_case(case)
        check_actor(t, actor, case)
        check_source(t, case)
        if check is not None:
            check(case, actor)
        change(case, actor, now)
        case.save()
        entry = log_step(
            kind=t.name, request=case.request, case=case, actor=actor, message=message, now=now
        )
        audit_step(action=f"sar.case.{t.name}", case=case, actor=actor, reason=reason, entry=entry)
    return case
