"""One function per step on a subject case (staff steps; the parent's steps
on a whole request are in ``sar.workflow.requests``). Each takes the case,
the person acting and, where the table says so, a reason; each locks, checks
and logs through ``sar.workflow.engine.perform``; each returns the case as
saved. The rows they enforce are in ``sar.workflow.table.TRANSITIONS``."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sar import children, clock, deadlines, roles
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import (
    ANSWERED_STATUSES,
    Bundle,
    BundleStatus,
    CaseStatus,
    ConsentStatus,
    SubjectCase,
    SubjectCaseRecord,
    SubjectKind,
)
from sar.records import records_in_scope
from sar.workflow import messages
from sar.workflow.engine import act, log_step, perform

# Cases that have not gone past the first look: asking for evidence is only
# possible while every open case of the request is in one of these.
NOT_STARTED = (CaseStatus.SUBMITTED, CaseStatus.AWAITING_EVIDENCE)


def case_request_evidence(
    *, case: SubjectCase, actor, reason: str, on: datetime.date | None = None
) -> SubjectCase:
    """Ask for evidence of identity or parental responsibility (``reason`` says
    what, and the parent reads it). The request's clock stops: it starts again
    from the day the evidence arrives."""

    def check(case, actor):
        started = (
            case.request.cases.exclude(pk=case.pk)
            .exclude(status__in=(*ANSWERED_STATUSES, *NOT_STARTED))
            .exists()
        )
        if started:
            raise RuleViolation(messages.EVIDENCE_AFTER_WORK_STARTED)

    def change(case, actor, on):
        clock.clock_stop(case.request)

    return perform(
        "request_evidence", case=case, actor=actor, reason=reason, on=on, check=check, change=change
    )


def case_receive_evidence(
    *,
    case: SubjectCase,
    actor,
    received_on: datetime.date | None = None,
    reason: str = "",
) -> SubjectCase:
    """Record that the evidence asked for arrived on ``received_on`` (today by
    default): work starts, and so does the clock, from that day, unless it is
    already running (evidence for another person on the request came first)."""
    received_on = received_on or deadlines.today()

    def check(case, actor):
        if received_on > deadlines.today():
            raise RuleViolation(messages.EVIDENCE_DATE_IN_FUTURE)
        if received_on < deadlines.london_date(case.request.received_at):
            raise RuleViolation(messages.EVIDENCE_DATE_BEFORE_REQUEST)

    def change(case, actor, on):
        if case.request.clock_started_on is None:
            clock.clock_start(case.request, on=received_on)

    return perform(
        "receive_evidence",
        case=case,
        actor=actor,
        reason=reason,
        on=received_on,
        check=check,
        change=change,
    )


def case_start(*, case: SubjectCase, actor, reason: str = "") -> SubjectCase:
    """Start work on a case that needs no further evidence. If evidence for
    someone else on the request stopped the clock, it starts again today."""

    def change(case, actor, on):
        if case.request.clock_started_on is None:
            clock.clock_start(case.request, on=on)

    return perform("start", case=case, actor=actor, reason=reason, change=change)


def case_request_clarification(
    *, case: SubjectCase, actor, reason: str, on: datetime.date | None = None
) -> SubjectCase:
    """Ask the parent to clarify what they want (``reason`` is the question,
    which they read). The request's clock pauses until they answer."""
    return perform("request_clarification", case=case, actor=actor, reason=reason, on=on)


def case_submit_for_review(*, case: SubjectCase, actor, reason: str = "") -> SubjectCase:
    """The records are gathered: on to review and redaction."""
    return perform("submit_for_review", case=case, actor=actor, reason=reason)


def ready_bundle(case: SubjectCase) -> Bundle | None:
    """The case's bundle if it is ready (rendered and stored), else None."""
    return Bundle.objects.filter(subject_case=case, status=BundleStatus.READY).first()


def bundle_out_of_date(bundle: Bundle) -> bool:
    """Whether the records chosen, or a redaction decision, changed after
    ``bundle`` was asked for, so the PDF may not show them. (A record's own
    text changing is caught when the bundle is built: its spans no longer fit.)"""
    case = bundle.subject_case
    since = bundle.requested_at
    # sar.redactions checks case statuses through sar.workflow: imported here.
    from sar.redactions import decisions_changed_since

    if decisions_changed_since(case, since):  # made, changed or removed
        return True
    if SubjectCaseRecord.objects.filter(subject_case=case, added_at__gt=since).exists():
        return True
    return records_in_scope(case).count() != bundle.record_count + bundle.withheld_count


def case_submit_for_approval(*, case: SubjectCase, actor, reason: str = "") -> SubjectCase:
    """Redaction is done and the bundle is ready: ask a second person to
    approve. Records who asked, since they may not approve it themselves."""

    def check(case, actor):
        bundle = ready_bundle(case)
        if bundle is None:
            raise RuleViolation(messages.BUNDLE_NOT_READY)
        if bundle_out_of_date(bundle):
            raise RuleViolation(messages.BUNDLE_OUT_OF_DATE)

    def change(case, actor, on):
        case.submitted_for_approval_by = actor
        case.approved_by = None
        case.approved_at = None

    return perform(
        "submit_for_approval", case=case, actor=actor, reason=reason, check=check, change=change
    )


def case_return(*, case: SubjectCase, actor, reason: str) -> SubjectCase:
    """The approver sends the case back for more work, saying why."""

    def change(case, actor, on):
        case.submitted_for_approval_by = None

    return perform("return", case=case, actor=actor, reason=reason, change=change)


def case_reopen(*, case: SubjectCase, actor, reason: str = "") -> SubjectCase:
    """A caseworker takes a case waiting for approval, or approved, back to
    review: the approval (or the request for it) is void, and so is the
    parent's download. Preparing the bundle again takes this step
    (``sar.bundles.bundle_prepare``). A parent already told their records
    were ready reads that we are updating them, and is emailed."""
    was = {}

    def check(case, actor):
        was["status"] = case.status

    def change(case, actor, on):
        case.submitted_for_approval_by = None
        case.approved_by = None
        case.approved_at = None
        if was["status"] == CaseStatus.APPROVED:
            log_step(
                kind="records_updating",
                request=case.request,
                case=case,
                actor=actor,
                message=messages.RECORDS_UPDATING,
                now=timezone.now(),
                visible_to_parent=True,
                notice="request_update",
            )

    return perform("reopen", case=case, actor=actor, reason=reason, check=check, change=change)


def check_release_rules(case: SubjectCase) -> None:
    """The age rules for releasing a child's records to a parent (ages on the
    day the request was received): raises ``RuleViolation`` saying what is
    missing. The requester's own records have no such rule."""
    if children.needs_young_person_consent(case):
        if case.consent_status == ConsentStatus.REFUSED:
            raise RuleViolation(messages.CONSENT_REFUSED)
        if case.consent_status != ConsentStatus.GIVEN:
            raise RuleViolation(messages.CONSENT_NOT_RECORDED)
    elif children.needs_competence_record(case) and not case.competence_assessed:
        raise RuleViolation(messages.COMPETENCE_NOT_RECORDED)


def case_approve(*, case: SubjectCase, actor, reason: str = "") -> SubjectCase:
    """Approve the bundle for release: the parent can download it for
    ``BUNDLE_DOWNLOAD_DAYS`` days, and is told (a content-free email and a
    timeline entry). Not by the person who submitted the case for approval,
    nor by the person who prepared the bundle; not for a child of 12+ without
    their competence and views recorded, nor a young person of 16+ without
    consent."""
    approved = {}

    def check(case, actor):
        if case.submitted_for_approval_by_id == actor.pk:
            raise NotPermitted(messages.APPROVER_IS_PREPARER)
        bundle = ready_bundle(case)
        if bundle is None:
            raise RuleViolation(messages.BUNDLE_NOT_READY_TO_APPROVE)
        if bundle.prepared_by_id == actor.pk:
            raise NotPermitted(messages.APPROVER_PREPARED_BUNDLE)
        if bundle_out_of_date(bundle):
            raise RuleViolation(messages.BUNDLE_OUT_OF_DATE)
        check_release_rules(case)
        approved["bundle"] = bundle

    def change(case, actor, on):
        now = timezone.now()
        case.approved_by = actor
        case.approved_at = now
        # A new approval makes the download available afresh, even if an
        # earlier one was revoked.
        Bundle.objects.filter(pk=approved["bundle"].pk).update(
            available_until=now + datetime.timedelta(days=settings.BUNDLE_DOWNLOAD_DAYS),
            revoked_at=None,
            revoked_by=None,
            revoke_reason="",
        )

    return perform("approve", case=case, actor=actor, reason=reason, check=check, change=change)


def case_release(*, case: SubjectCase, actor, reason: str = "") -> SubjectCase:
    """Record that the approved records were given to the parent, for example
    at an appointment. (The parent's first download records it by itself.)
    The parent was told at approval, so nothing is sent now."""
    return perform("release", case=case, actor=actor, reason=reason)


def case_close(*, case: SubjectCase, actor, reason: str = "") -> SubjectCase:
    """Close a case whose records have been released."""
    return perform("close", case=case, actor=actor, reason=reason)


def case_refuse(*, case: SubjectCase, actor, reason: str) -> SubjectCase:
    """Refuse as manifestly unfounded or excessive (UK GDPR Art. 12(5)). The
    parent reads the reason and their right to complain to the ICO and to seek
    a judicial remedy (Art. 12(4))."""

    def change(case, actor, on):
        case.refusal_reason = reason.strip()

    return perform("refuse", case=case, actor=actor, reason=reason, change=change)


def case_place_hold(
    *,
    case: SubjectCase,
    actor,
    reason: str,
    exemption: str,
    whole_service_case: bool = False,
) -> SubjectCase:
    """Stop all work and any release while a safeguarding concern is looked
    at, relying on ``exemption`` (a ``HoldExemption``): on this case, or, with
    ``whole_service_case``, on every case of the requester's service case and
    any begun while the hold stands. The parent sees nothing change but the
    status wording. The hold itself is ``sar.safeguarding``'s."""
    from sar import safeguarding

    if whole_service_case:
        service_case = safeguarding.service_case_for(case)
        if service_case is None:
            raise RuleViolation(messages.NO_SERVICE_CASE)
        safeguarding.hold_place_on_service_case(
            service_case=service_case, actor=actor, reason=reason, exemption=exemption
        )
    else:
        safeguarding.hold_place_on_case(
            subject_case=case, actor=actor, reason=reason, exemption=exemption
        )
    case.refresh_from_db()
    return case


def case_lift_hold(*, case: SubjectCase, actor, reason: str) -> SubjectCase:
    """Lift every standing hold that covers the case, with ``reason`` as the
    recorded decision: it goes back to the status it had before, as does any
    other case those holds covered and nothing else holds."""
    from sar import safeguarding

    holds = list(safeguarding.standing_holds_for(case))
    if not holds:
        # On hold with no hold recorded (data from before holds were): the
        # workflow's own step, with the same checks.
        return perform("lift_hold", case=case, actor=actor, reason=reason)
    with transaction.atomic():
        for hold in holds:
            safeguarding.hold_lift(hold=hold, actor=actor, decision=reason)
    case.refresh_from_db()
    return case


def case_record_child_views(
    *, case: SubjectCase, actor, competence_notes: str, child_views: str = ""
) -> SubjectCase:
    """Record the assessment of a child's competence and the child's views
    (needed before a 12 to 15 year old's records go to a parent)."""
    competence_notes = competence_notes.strip()

    def check(case, actor):
        if case.kind != SubjectKind.CHILD:
            raise RuleViolation(messages.NOT_ABOUT_A_CHILD)
        if not competence_notes:
            raise RuleViolation(messages.COMPETENCE_NOTES_REQUIRED)

    def change(case, actor, now):
        case.competence_assessed = True
        case.competence_notes = competence_notes
        case.child_views = child_views.strip()
        case.competence_recorded_by = actor
        case.competence_recorded_at = now

    return act(
        "record_child_views",
        case=case,
        actor=actor,
        check=check,
        change=change,
        message="The child's competence and views were recorded.",
    )


def case_record_young_person_consent(
    *, case: SubjectCase, actor, given: bool, reason: str = ""
) -> SubjectCase:
    """Record whether a young person (16+ when the request was received)
    consents to their records going to the parent who asked. ``reason`` says
    how consent was obtained."""

    def check(case, actor):
        if not children.needs_young_person_consent(case):
            raise RuleViolation(messages.CONSENT_NOT_APPLICABLE)

    def change(case, actor, now):
        case.consent_status = ConsentStatus.GIVEN if given else ConsentStatus.REFUSED
        case.consent_recorded_by = actor
        case.consent_recorded_at = now

    outcome = "gave" if given else "did not give"
    return act(
        "record_young_person_consent",
        case=case,
        actor=actor,
        reason=reason,
        check=check,
        change=change,
        message=f"The young person {outcome} consent to release to the parent.",
    )


def case_assign(*, case: SubjectCase, actor, assignee) -> SubjectCase:
    """Give the case to a caseworker (``assignee`` None leaves it unassigned)."""

    def check(case, actor):
        if assignee is not None and not roles.has_role(assignee, roles.CASEWORKER):
            raise RuleViolation(messages.ASSIGNEE_NOT_CASEWORKER)
        if assignee is not None and roles.is_requester(assignee, case.request):
            raise NotPermitted(messages.OWN_REQUEST)

    def change(case, actor, now):
        case.assigned_to = assignee

    label = (assignee.get_full_name() or assignee.email) if assignee is not None else "nobody"
    return act(
        "assign",
        case=case,
        actor=actor,
        check=check,
        change=change,
        message=f"Assigned to {label}.",
    )
