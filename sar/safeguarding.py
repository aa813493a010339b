"""Safeguarding holds: "The only exception to confidentiality is ... a child
is at risk". A safeguarding lead (and nobody else) places a hold on one
subject case, or on a whole service case, with the reason and the exemption
relied on (DPA 2018 Sch 3), and lifts it with a recorded decision.

While a hold stands, every subject case it covers is "on safeguarding hold"
(``CaseStatus.ON_HOLD``, through the workflow's place_hold and lift_hold
steps), so:

- no bundle can be approved (approval needs "awaiting approval") or
  downloaded (a download needs "approved" or "released");
- no appointment to view the records can be booked or moved
  (``appointments.booking.can_book``), and any booked one is cancelled here,
  the parent getting the ordinary cancellation with no reason;
- caseworkers and approvers no longer see the case (``sar.selectors``): only
  safeguarding leads and administrators do;
- the parent reads "We are still working on your request", as for any other
  work in progress (``sar.workflow.table.PARENT_STATUS_LABELS``), and no
  email is sent.

A hold on a service case covers every open subject case of the service user
when it is placed, and **every subject case begun while it stands**: a new
request by the same person starts on hold (``hold_new_cases``, called by
``request_submit``), so nothing about the family can progress or be released
until the hold is lifted. Lifting a hold returns each case it covered to the
status it had before, unless another standing hold still covers it.

The reason and the decision are stored encrypted on the hold; the timeline
and the audit trail name only the hold and the exemption. Every step is an
audit event ("sar.hold.placed", "sar.hold.lifted", and the workflow's own
"sar.case.place_hold" / "sar.case.lift_hold" for each case).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal.audit.events import record
from sar import roles
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import (
    CaseStatus,
    HoldExemption,
    SafeguardingHold,
    ServiceCase,
    SubjectCase,
    TimelineEntry,
)
from sar.workflow import messages
from sar.workflow.engine import check_source, lock_case, perform
from sar.workflow.table import HOLDABLE, transition

# The workflow's own words for who may not, and from where not: a hold is a
# step of the transition table like any other.
NOT_PERMITTED = messages.NOT_PERMITTED
OWN_CASE = messages.OWN_REQUEST
EXEMPTION_REQUIRED = "Select the exemption relied on."
REASON_REQUIRED = "Enter the reason for the hold. It is kept encrypted with the hold."
DECISION_REQUIRED = "Record the decision to lift the hold, and why."
SERVICE_CASE_ALREADY_HELD = "This service case already has a safeguarding hold."
ALREADY_LIFTED = "This hold has already been lifted."

# The audit trail's reason for a lift: the decision itself is kept encrypted
# on the hold.
LIFTED_AUDIT_REASON = "Lifted with a recorded decision (kept with the hold)."

# What staff read on an appointment cancelled by a hold: caseworkers, who may
# not know of the hold, see the bookings, so it says nothing about why.
BOOKING_CANCEL_REASON = "Cancelled by the service: the records cannot be viewed at the moment."


def exemption_label(exemption: str) -> str:
    """The exemption in words, as the audit trail and the timeline record it."""
    return str(HoldExemption(exemption).label)


def _check_lead(actor) -> None:
    if not roles.has_role(actor, roles.SAFEGUARDING_LEAD):
        raise NotPermitted(NOT_PERMITTED)


def _clean(*, reason: str, exemption: str) -> str:
    if exemption not in HoldExemption.values:
        raise RuleViolation(EXEMPTION_REQUIRED)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(REASON_REQUIRED)
    return reason


def _timeline_words(hold: SafeguardingHold, placed: bool) -> str:
    # Staff only (the hold steps are never shown to the parent), and without
    # the reason, which stays encrypted on the hold.
    what = "placed" if placed else "lifted"
    return (
        f"Safeguarding hold {hold.pk} {what}. "
        f"Exemption relied on: {exemption_label(hold.exemption)}."
    )


def _hold_case(case: SubjectCase, hold: SafeguardingHold, actor) -> SubjectCase:
    """Put ``case`` on hold under ``hold`` (it may already be on hold under
    another: then it is only added to this hold's cases)."""
    case = lock_case(case)
    if case.status != CaseStatus.ON_HOLD:
        case = perform(
            "place_hold",
            case=case,
            actor=actor,
            reason=hold.reason,
            message=_timeline_words(hold, placed=True),
            audit_data={"hold": hold.pk, "exemption": hold.exemption},
        )
    hold.cases.add(case)
    return case


def _cancel_bookings(cases, actor) -> None:
    from appointments.booking import bookings_cancel_by_service

    requests = {case.request_id: case.request for case in cases}
    for request_id in sorted(requests):
        bookings_cancel_by_service(
            access_request=requests[request_id], actor=actor, reason=BOOKING_CANCEL_REASON
        )


def _record_placed(hold: SafeguardingHold, actor, cases) -> None:
    record(
        action="sar.hold.placed",
        actor=actor,
        obj=hold,
        reason=exemption_label(hold.exemption),
        data={
            "on": "service_case" if hold.service_case_id else "subject_case",
            "service_case": hold.service_case_id,
            "subject_case": hold.subject_case_id,
            "cases": sorted(c.pk for c in cases),
            "exemption": hold.exemption,
        },
    )


def hold_place_on_case(
    *, subject_case: SubjectCase, actor, reason: str, exemption: str
) -> SafeguardingHold:
    """Place a hold on one subject case: it stops where it is until the hold
    is lifted. Refused on a case that is finished (closed, refused,
    withdrawn) or already on hold (a further concern goes in the standing
    hold's record)."""
    _check_lead(actor)
    reason = _clean(reason=reason, exemption=exemption)
    with transaction.atomic():
        case = lock_case(subject_case)
        if roles.is_requester(actor, case.request):
            raise NotPermitted(OWN_CASE)
        # Not finished, and not already on hold (a second concern about a
        # held case goes in the standing hold's record).
        check_source(transition("place_hold"), case)
        hold = SafeguardingHold.objects.create(
            subject_case=case, exemption=exemption, reason=reason, placed_by=actor
        )
        case = _hold_case(case, hold, actor)
        _record_placed(hold, actor, [case])
        _cancel_bookings([case], actor)
    return hold


def service_case_cases(service_case: ServiceCase) -> QuerySet[SubjectCase]:
    """The subject cases a hold on ``service_case`` covers: every case of
    every request the service user made."""
    return SubjectCase.objects.filter(request__requester_id=service_case.service_user_id)


def hold_place_on_service_case(
    *, service_case: ServiceCase, actor, reason: str, exemption: str
) -> SafeguardingHold:
    """Place a hold on a whole service case: every open subject case of the
    service user goes on hold now, and every one begun while the hold stands
    starts on hold (``hold_new_cases``)."""
    _check_lead(actor)
    reason = _clean(reason=reason, exemption=exemption)
    with transaction.atomic():
        service_case = ServiceCase.objects.select_for_update().get(pk=service_case.pk)
        if service_case.service_user_id == actor.pk:
            raise NotPermitted(OWN_CASE)
        if SafeguardingHold.objects.filter(
            service_case=service_case, lifted_at__isnull=True
        ).exists():
            raise RuleViolation(SERVICE_CASE_ALREADY_HELD)
        hold = SafeguardingHold.objects.create(
            service_case=service_case, exemption=exemption, reason=reason, placed_by=actor
        )
        open_cases = service_case_cases(service_case).filter(
            status__in=(*HOLDABLE, CaseStatus.ON_HOLD)
        )
        held = [
            _hold_case(case, hold, actor)
            for case in open_cases.order_by("request_id", "id").select_related("request")
        ]
        _record_placed(hold, actor, held)
        if held:
            _cancel_bookings(held, actor)
    return hold


def hold_new_cases(*, cases) -> list[SafeguardingHold]:
    """Put new subject cases (``request_submit``'s, in its transaction) on
    hold if their requester's service case has a standing hold. The system
    acts: no parent-visible entry, no email; the staff timeline and the audit
    trail say which hold. Returns the holds applied."""
    cases = list(cases)
    if not cases:
        return []
    requester_id = cases[0].request.requester_id
    holds = list(
        SafeguardingHold.objects.filter(
            service_case__service_user_id=requester_id, lifted_at__isnull=True
        ).order_by("id")
    )
    if not holds:
        return []
    now = timezone.now()
    first = holds[0]
    for case in cases:
        case.held_from_status, case.status = case.status, CaseStatus.ON_HOLD
        case.save(update_fields=["status", "held_from_status", "updated_at"])
        for hold in holds:
            hold.cases.add(case)
        entry = TimelineEntry.objects.create(
            request=case.request,
            case=case,
            at=now,
            kind="place_hold",
            message=_timeline_words(first, placed=True)
            + " The case began while the service case was on hold.",
        )
        record(
            action="sar.case.place_hold",
            obj=case,
            data={
                "request": case.request.reference,
                "timeline_entry": entry.pk,
                "from": case.held_from_status,
                "to": case.status,
                "hold": first.pk,
                "exemption": first.exemption,
                "standing_hold": True,
            },
        )
    return holds


def hold_lift(*, hold: SafeguardingHold, actor, decision: str) -> SafeguardingHold:
    """Lift ``hold`` with the decision recorded: each case it covered goes
    back to the status it had before, unless another standing hold still
    covers it (or it has since been withdrawn)."""
    _check_lead(actor)
    decision = (decision or "").strip()
    if not decision:
        raise RuleViolation(DECISION_REQUIRED)
    with transaction.atomic():
        hold = SafeguardingHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise RuleViolation(ALREADY_LIFTED)
        service_user_id = (
            hold.service_case.service_user_id
            if hold.service_case_id
            else hold.subject_case.request.requester_id
        )
        if service_user_id == actor.pk:
            raise NotPermitted(OWN_CASE)
        hold.lifted_at = timezone.now()
        hold.lifted_by = actor
        hold.decision = decision
        hold.save(update_fields=["lifted_at", "lifted_by", "decision"])
        released = []
        for case in hold.cases.order_by("request_id", "id"):
            case = lock_case(case)
            if case.status != CaseStatus.ON_HOLD or still_held(case):
                continue
            released.append(
                perform(
                    "lift_hold",
                    case=case,
                    actor=actor,
                    reason=decision,
                    message=_timeline_words(hold, placed=False),
                    audit_data={"hold": hold.pk},
                )
            )
        record(
            action="sar.hold.lifted",
            actor=actor,
            obj=hold,
            reason=LIFTED_AUDIT_REASON,
            data={
                "cases_released": sorted(c.pk for c in released),
                "days_held": hold.age_days(),
            },
        )
    return hold


def still_held(case: SubjectCase) -> bool:
    """Whether a standing hold covers ``case``."""
    return standing_holds_for(case).exists()


def standing_holds_for(case) -> QuerySet[SafeguardingHold]:
    """The standing holds that cover ``case``, oldest first. ``case`` may be
    ``OuterRef(...)`` to ask the same in a query over cases or their rows
    (``Exists(standing_holds_for(OuterRef("subject_case")))``)."""
    return SafeguardingHold.objects.filter(cases=case, lifted_at__isnull=True).order_by("id")


def case_release_blocked(case: SubjectCase, *, held: bool | None = None) -> bool:
    """Whether anything about ``case`` may be released now: never while it is
    on hold or a standing hold covers it (for bundle approval and download,
    which also check the case's status). ``held``: whether a standing hold
    covers it, when already read in the same request (``still_held``)."""
    if case.status == CaseStatus.ON_HOLD:
        return True
    return still_held(case) if held is None else held


# Reads for the report and the screens ---------------------------------------------


def holds_for_staff(viewer, *, include_lifted: bool = False) -> QuerySet[SafeguardingHold]:
    """The holds ``viewer`` may see (safeguarding leads and administrators:
    ``roles.may_see_holds``; nobody else sees any), standing ones only unless
    ``include_lifted``."""
    if not roles.may_see_holds(viewer):
        return SafeguardingHold.objects.none()
    holds = SafeguardingHold.objects.select_related(
        "service_case", "subject_case__request", "subject_case__child", "placed_by", "lifted_by"
    ).prefetch_related("cases__request")
    if not include_lifted:
        holds = holds.filter(lifted_at__isnull=True)
    return holds


def hold_for_staff(viewer, pk) -> SafeguardingHold:
    from django.http import Http404

    try:
        return holds_for_staff(viewer, include_lifted=True).get(pk=pk)
    except (SafeguardingHold.DoesNotExist, ValueError, TypeError):
        raise Http404("No such hold.") from None


def service_case_for(case: SubjectCase) -> ServiceCase | None:
    """The requester's service case, if the service has one for them (the
    oldest open one, else the newest)."""
    cases = ServiceCase.objects.filter(service_user_id=case.request.requester_id)
    return (
        cases.filter(closed_on__isnull=True).order_by("opened_on", "id").first()
        or cases.order_by("-opened_on", "-id").first()
    )
