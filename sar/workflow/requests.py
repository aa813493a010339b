"""Steps on a whole request: the parent submits, answers a clarification or
withdraws; a caseworker extends the time to respond. (The steps on one
person's case are in ``sar.workflow.cases``.)"""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from portal.audit.events import record
from sar import children as child_rules
from sar import clock, deadlines, roles
from sar.exceptions import InvalidTransition, NotPermitted, RuleViolation
from sar.models import (
    ANSWERED_STATUSES,
    AccessRequest,
    Adjustment,
    Child,
    Delivery,
    Scope,
    SubjectCase,
    SubjectKind,
)
from sar.references import allocate_reference
from sar.workflow import messages
from sar.workflow.engine import (
    audit_step,
    clean_reason,
    enter_status,
    lock_request,
    log_step,
    sync_clarification_pause,
    timeline_message,
)
from sar.workflow.table import transition


def long_date(day: datetime.date) -> str:
    """A date as GOV.UK writes it: 3 October 2027."""
    return f"{day.day} {day:%B %Y}"


def _clean_scope(scope, date_from, date_to, topics):
    if scope not in Scope.values:
        raise RuleViolation(messages.SCOPE_INVALID)
    topics = (topics or "").strip()
    if scope == Scope.EVERYTHING:
        # A form with a conditionally revealed "specific" panel can post what
        # was typed there before the parent chose "everything": not wanted.
        return None, None, ""
    if date_from is None and date_to is None and not topics:
        raise RuleViolation(messages.SCOPE_DETAIL_REQUIRED)
    if date_from is not None and date_to is not None and date_from > date_to:
        raise RuleViolation(messages.DATE_RANGE_REVERSED)
    return date_from, date_to, topics


def _clean_adjustments(adjustments, interpreter_language, adjustment_other):
    chosen = list(dict.fromkeys(adjustments))  # once each, in the order given
    if any(a not in Adjustment.values for a in chosen):
        raise RuleViolation(messages.ADJUSTMENT_INVALID)
    interpreter_language = (interpreter_language or "").strip()
    adjustment_other = (adjustment_other or "").strip()
    if Adjustment.INTERPRETER in chosen and not interpreter_language:
        raise RuleViolation(messages.INTERPRETER_LANGUAGE_REQUIRED)
    if Adjustment.OTHER in chosen and not adjustment_other:
        raise RuleViolation(messages.ADJUSTMENT_OTHER_REQUIRED)
    if Adjustment.INTERPRETER not in chosen:
        interpreter_language = ""
    if Adjustment.OTHER not in chosen:
        adjustment_other = ""
    return chosen, interpreter_language, adjustment_other


def _clean_children(requester, about_requester, children):
    children = list(children)
    if not about_requester and not children:
        raise RuleViolation(messages.NO_SUBJECT)
    if len({c.pk for c in children}) != len(children):
        raise RuleViolation(messages.CHILD_REPEATED)
    if any(c.pk is None or c.parent_id != requester.pk for c in children):
        raise RuleViolation(messages.CHILD_NOT_YOURS)
    return children


def request_submit(
    *,
    requester,
    about_requester: bool,
    children: Sequence[Child] = (),
    scope: str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    topics: str = "",
    delivery: str,
    adjustments: Sequence[str] = (),
    interpreter_language: str = "",
    adjustment_other: str = "",
    code_revision,
    acknowledged_at: datetime.datetime | None = None,
    received_at: datetime.datetime | None = None,
) -> AccessRequest:
    """Make a request about the requester and/or their children: one request
    with a reference (SAR-YYYY-NNNNN), one case per person, and one clock
    that starts on the day of receipt. The parent gets a timeline entry with
    the reference and the due date, and an acknowledgement email."""
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise RuleViolation(messages.RECEIVED_IN_FUTURE)
    if code_revision is None:
        raise RuleViolation(messages.CODE_NOT_ACKNOWLEDGED)
    if delivery not in Delivery.values:
        raise RuleViolation(messages.DELIVERY_INVALID)
    children = _clean_children(requester, about_requester, children)
    date_from, date_to, topics = _clean_scope(scope, date_from, date_to, topics)
    adjustments, interpreter_language, adjustment_other = _clean_adjustments(
        adjustments, interpreter_language, adjustment_other
    )
    received_on = deadlines.london_date(received_at)

    with transaction.atomic():
        request = AccessRequest(
            reference=allocate_reference(year=received_on.year),
            requester=requester,
            about_requester=about_requester,
            scope=scope,
            date_from=date_from,
            date_to=date_to,
            topics=topics,
            delivery=delivery,
            adjustments=adjustments,
            interpreter_language=interpreter_language,
            adjustment_other=adjustment_other,
            code_revision=code_revision,
            acknowledged_at=acknowledged_at or now,
            received_at=received_at,
        )
        clock.clock_start(request, on=received_on)
        request.save()
        subjects = ([None] if about_requester else []) + children
        cases = [
            SubjectCase.objects.create(
                request=request,
                kind=SubjectKind.REQUESTER if child is None else SubjectKind.CHILD,
                child=child,
                consent_status=child_rules.initial_consent_status(
                    child=child, received_on=received_on
                ),
            )
            for child in subjects
        ]
        # A safeguarding hold on the requester's service case holds new cases
        # too; the parent reads the same as for any case being worked on.
        from sar.safeguarding import hold_new_cases

        hold_new_cases(cases=cases)
        entry = log_step(
            kind="submit",
            request=request,
            case=None,
            actor=requester,
            message=(
                f"We received your request on {long_date(received_on)}. Your reference is "
                f"{request.reference}. We will respond by {long_date(request.due_on)}."
            ),
            now=now,
            visible_to_parent=True,
            notice="request_received",
        )
        record(
            action="sar.request.submit",
            actor=requester,
            obj=request,
            data={
                "reference": request.reference,
                "cases": list(request.cases.values_list("pk", flat=True)),
                "timeline_entry": entry.pk,
            },
        )
    return request


def _check_requester(parent, request: AccessRequest) -> None:
    if not roles.is_requester(parent, request):
        raise NotPermitted(messages.NOT_YOUR_REQUEST)


def request_answer_clarification(
    *, parent, request: AccessRequest, answer: str, on: datetime.date | None = None
) -> AccessRequest:
    """The parent answers the question asked: every case waiting for it goes
    back to in progress and the clock restarts, keeping the time that was left
    when it stopped (the paused days are added to the due date)."""
    t = transition("answer_clarification")
    now = timezone.now()
    on = on or deadlines.today()
    with transaction.atomic():
        request, cases = lock_request(request)
        _check_requester(parent, request)
        waiting = [c for c in cases if c.status in t.sources]
        if not waiting:
            raise InvalidTransition(messages.NO_CLARIFICATION_OUTSTANDING)
        answer = clean_reason(t, answer)
        _move(t, waiting, request=request, actor=parent, reason=answer, now=now, on=on)
    return request


def request_withdraw(*, parent, request: AccessRequest, reason: str = "") -> AccessRequest:
    """The parent withdraws their request: every case not yet answered,
    refused or withdrawn is withdrawn (``reason`` is optional)."""
    t = transition("withdraw")
    now = timezone.now()
    with transaction.atomic():
        request, cases = lock_request(request)
        _check_requester(parent, request)
        open_cases = [c for c in cases if c.status in t.sources]
        if not open_cases:
            raise InvalidTransition(messages.REQUEST_FINISHED)
        reason = clean_reason(t, reason)
        _move(t, open_cases, request=request, actor=parent, reason=reason, now=now)
    return request


def _move(t, cases, *, request, actor, reason, now, on=None):
    """Move the parent's cases along ``t`` with one timeline entry (and one
    email) for the request, and one audit event per case."""
    sources = {}
    for case in cases:
        sources[case.pk] = case.status
        enter_status(case, t, now=now)
        case.save()
    sync_clarification_pause(request, on=on or deadlines.today())
    request.save()
    message = timeline_message(t, reason)
    if reason and "{reason}" not in t.parent_message:
        message = f"{message} You told us: {reason}"
    entry = log_step(
        kind=t.name,
        request=request,
        case=None,
        actor=actor,
        message=message,
        now=now,
        visible_to_parent=True,
        notice=t.notice,
    )
    for case in cases:
        audit_step(
            action=f"sar.case.{t.name}",
            case=case,
            actor=actor,
            reason="",  # the parent's own words stay in the timeline
            entry=entry,
            source=sources[case.pk],
        )


def request_extend(
    *,
    request: AccessRequest,
    actor,
    months: int,
    reason: str,
    on: datetime.date | None = None,
) -> AccessRequest:
    """Extend the time to respond to a complex request by one or two months
    (at most two in total), before the original due date passes, and tell the
    parent why (the timeline entry and a content-free email, sent the same
    day, so the parent hears within the first month)."""
    now = timezone.now()
    on = on or deadlines.today()
    with transaction.atomic():
        request, cases = lock_request(request)
        if not roles.has_role(actor, roles.CASEWORKER):
            raise NotPermitted(messages.NOT_PERMITTED)
        if roles.is_requester(actor, request):
            raise NotPermitted(messages.OWN_REQUEST)
        if all(c.status in ANSWERED_STATUSES for c in cases):
            raise InvalidTransition(messages.REQUEST_FINISHED)
        reason = (reason or "").strip()
        if not reason:
            raise RuleViolation(messages.REASON_REQUIRED)
        if request.clock_started_on is None:
            raise RuleViolation(messages.CLOCK_NOT_STARTED)
        clock.clock_extend(request, months=months, reason=reason, on=on)
        request.save()
        entry = log_step(
            kind="extend",
            request=request,
            case=None,
            actor=actor,
            message=(
                f"We need more time to respond because your request is complex: {reason} "
                f"We will now respond by {long_date(request.due_on)}."
            ),
            now=now,
            visible_to_parent=True,
            notice="request_update",
        )
        record(
            action="sar.request.extend",
            actor=actor,
            obj=request,
            reason=reason,
            data={
                "months": months,
                "extension_months": request.extension_months,
                "due_on": request.due_on.isoformat(),
                "timeline_entry": entry.pk,
            },
        )
    return request
