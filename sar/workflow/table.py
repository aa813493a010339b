"""The lifecycle of a subject case, written down once.

``TRANSITIONS`` is the whole state machine: each row says from which statuses
a step can be taken, where it leads, who may take it, whether the parent sees
it (a timeline entry and a content-free email) and whether it needs a reason.
The step functions in ``sar.workflow.cases`` and ``sar.workflow.requests``
enforce the rows; the staff and parent screens read them
(``allowed_transitions``) to decide which buttons to show.

    submitted ──start──────────────────────────────> in_progress
    submitted ──request_evidence──> awaiting_evidence ──receive_evidence──> in_progress
    submitted | in_progress ──request_clarification──> clarification (clock paused)
    clarification ──answer_clarification (parent)──> in_progress (clock restarts)
    in_progress ──submit_for_review──> in_review ──submit_for_approval──> awaiting_approval
    awaiting_approval ──return──> in_review        awaiting_approval ──approve──> approved
    awaiting_approval | approved ──reopen──> in_review (approval void; preparing the bundle
                                             again takes this step)
    approved ──release──> released ──close──> closed

Approval is when the parent learns their records are ready (an email, and a
download until the bundle's ``available_until``); ``release`` records that
they have been given: the parent's first download takes it
(``sar.bundles.bundle_download``), or a caseworker after an appointment.
    (not yet approved) ──refuse──> refused         (not answered) ──withdraw (parent)──> withdrawn
    (not finished) ──place_hold──> on_hold ──lift_hold──> (the status before the hold)
"""

from dataclasses import dataclass

from sar import roles
from sar.models import Bundle, CaseStatus, SubjectCase
from sar.roles import APPROVER, CASEWORKER, REQUESTER, SAFEGUARDING_LEAD
from sar.workflow.messages import RIGHTS_TEXT

S = CaseStatus

# Before approval: a refusal can still be decided.
UNDECIDED = (
    S.SUBMITTED,
    S.AWAITING_EVIDENCE,
    S.CLARIFICATION,
    S.IN_PROGRESS,
    S.IN_REVIEW,
    S.AWAITING_APPROVAL,
)
# Not yet answered, refused or withdrawn: the parent can still withdraw.
OPEN = (*UNDECIDED, S.APPROVED, S.ON_HOLD)
# A hold can stop anything not finished, including records released but not
# yet downloaded.
HOLDABLE = (*UNDECIDED, S.APPROVED, S.RELEASED)


@dataclass(frozen=True)
class Transition:
    """One step of the lifecycle. ``target`` None means "back to the status the
    case had before its hold". ``parent_message`` is what the parent reads in
    their timeline (``{reason}`` is filled in); ``notice`` the email template;
    ``request_level`` steps are taken by the parent for a whole request."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None
    roles: tuple[str, ...]
    parent_visible: bool = False
    needs_reason: bool = False
    parent_message: str = ""
    notice: str = ""
    request_level: bool = False
    # The parent's own words (their answer) stay in the timeline, which can be
    # anonymised, not in the append-only audit trail, which cannot.
    audit_reason: bool = True
    # False for the actions in ACTIONS: steps that record something on a case
    # without moving it.
    changes_status: bool = True

    def restores(self) -> bool:
        return self.changes_status and self.target is None


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "request_evidence",
        "ask for evidence of identity or parental responsibility",
        (S.SUBMITTED,),
        S.AWAITING_EVIDENCE,
        (CASEWORKER,),
        parent_visible=True,
        needs_reason=True,
        parent_message=(
            "We need evidence before we can start: {reason} "
            "The time we have to respond starts when we receive it."
        ),
        notice="request_update",
    ),
    Transition(
        "receive_evidence",
        "record that the evidence has arrived",
        (S.AWAITING_EVIDENCE,),
        S.IN_PROGRESS,
        (CASEWORKER,),
        parent_visible=True,
        parent_message="We have received your evidence and started work on your request.",
        notice="request_update",
    ),
    Transition(
        "start",
        "start work",
        (S.SUBMITTED,),
        S.IN_PROGRESS,
        (CASEWORKER,),
        parent_visible=True,
        parent_message="We have started work on your request.",
        notice="request_update",
    ),
    Transition(
        "request_clarification",
        "ask the requester to clarify",
        (S.SUBMITTED, S.IN_PROGRESS),
        S.CLARIFICATION,
        (CASEWORKER,),
        parent_visible=True,
        needs_reason=True,
        parent_message=(
            "We need more information to find the records you asked for: {reason} "
            "The time we have to respond is paused until you answer."
        ),
        notice="request_update",
    ),
    Transition(
        "answer_clarification",
        "answer our question",
        (S.CLARIFICATION,),
        S.IN_PROGRESS,
        (REQUESTER,),
        parent_visible=True,
        needs_reason=True,
        parent_message=(
            "You answered our question: {reason} The time we have to respond has restarted."
        ),
        notice="request_update",
        request_level=True,
        audit_reason=False,
    ),
    Transition(
        "submit_for_review",
        "submit for review (redaction)",
        (S.IN_PROGRESS,),
        S.IN_REVIEW,
        (CASEWORKER,),
    ),
    Transition(
        "submit_for_approval",
        "submit for approval",
        (S.IN_REVIEW,),
        S.AWAITING_APPROVAL,
        (CASEWORKER,),
    ),
    Transition(
        "return",
        "send back for more work",
        (S.AWAITING_APPROVAL,),
        S.IN_REVIEW,
        (APPROVER,),
        needs_reason=True,
    ),
    Transition(
        "reopen",
        "take back for more work (the approval is void)",
        (S.AWAITING_APPROVAL, S.APPROVED),
        S.IN_REVIEW,
        (CASEWORKER,),
    ),
    Transition(
        "approve",
        "approve release",
        (S.AWAITING_APPROVAL,),
        S.APPROVED,
        (APPROVER,),
        parent_visible=True,
        parent_message=(
            "Your records are ready. You can download them from this page, "
            "or book an appointment to look at them with us."
        ),
        notice="records_ready",
    ),
    Transition(
        "release",
        "record that the records were given",
        (S.APPROVED,),
        S.RELEASED,
        (CASEWORKER,),
    ),
    Transition(
        "close",
        "close the case",
        (S.RELEASED,),
        S.CLOSED,
        (CASEWORKER,),
        parent_visible=True,
        parent_message="We have finished this part of your request.",
        notice="request_update",
    ),
    Transition(
        "refuse",
        "refuse as manifestly unfounded or excessive",
        UNDECIDED,
        S.REFUSED,
        (APPROVER,),
        parent_visible=True,
        needs_reason=True,
        parent_message=(
            "We have refused this part of your request because it is manifestly "
            "unfounded or excessive: {reason} " + RIGHTS_TEXT
        ),
        notice="request_refused",
    ),
    Transition(
        "withdraw",
        "withdraw the request",
        OPEN,
        S.WITHDRAWN,
        (REQUESTER,),
        parent_visible=True,
        parent_message="You withdrew your request.",
        notice="request_update",
        request_level=True,
        audit_reason=False,
    ),
    # The reason for a hold, and the decision to lift it, are kept encrypted
    # on the hold (sar.safeguarding); the audit trail names the hold and the
    # exemption relied on.
    Transition(
        "place_hold",
        "place a safeguarding hold",
        HOLDABLE,
        S.ON_HOLD,
        (SAFEGUARDING_LEAD,),
        needs_reason=True,
        audit_reason=False,
    ),
    Transition(
        "lift_hold",
        "lift the safeguarding hold",
        (S.ON_HOLD,),
        None,
        (SAFEGUARDING_LEAD,),
        needs_reason=True,
        audit_reason=False,
    ),
)

# Things a caseworker records on a case that is not finished, without moving it.
ACTIONS: tuple[Transition, ...] = (
    Transition(
        "record_child_views",
        "record the child's competence and views",
        OPEN,
        None,
        (CASEWORKER,),
        changes_status=False,
    ),
    Transition(
        "record_young_person_consent",
        "record the young person's consent",
        OPEN,
        None,
        (CASEWORKER,),
        changes_status=False,
    ),
    Transition("assign", "assign a caseworker", OPEN, None, (CASEWORKER,), changes_status=False),
)

TRANSITIONS_BY_NAME: dict[str, Transition] = {t.name: t for t in (*TRANSITIONS, *ACTIONS)}


def transition(name: str) -> Transition:
    return TRANSITIONS_BY_NAME[name]


def actor_may(t: Transition, actor, case: SubjectCase) -> bool:
    """Whether ``actor`` holds a role the step needs (the requester of this
    request, or one of the staff groups; staff never on their own request)."""
    request = case.request
    if REQUESTER in t.roles and roles.is_requester(actor, request):
        return True
    staff_roles = [r for r in t.roles if r != REQUESTER]
    if not staff_roles or roles.is_requester(actor, request):
        return False
    return any(roles.has_role(actor, r) for r in staff_roles)


def allowed_transitions(case: SubjectCase, user) -> list[Transition]:
    """The steps ``user`` can take on ``case`` now: the buttons to show.
    Rules that need more than the status and the role (consent recorded, and
    so on) are checked when the step is taken, with a message saying why."""
    return _allowed(TRANSITIONS, case, user)


def allowed_actions(case: SubjectCase, user) -> list[Transition]:
    """The recording actions (``ACTIONS``) ``user`` can take on ``case`` now."""
    return _allowed(ACTIONS, case, user)


def _prepared_by(case: SubjectCase, user) -> bool:
    """Whether ``user`` submitted ``case`` for approval or prepared its bundle
    (so may not approve it)."""
    if case.submitted_for_approval_by_id == user.pk:
        return True
    return Bundle.objects.filter(subject_case=case, prepared_by=user).exists()


def _allowed(steps: tuple[Transition, ...], case: SubjectCase, user) -> list[Transition]:
    allowed = []
    for t in steps:
        if case.status not in t.sources or not actor_may(t, user, case):
            continue
        if t.name == "approve" and _prepared_by(case, user):
            continue
        allowed.append(t)
    return allowed


# What the parent reads as a case's status. Every stage of the work behind
# the scenes, and a safeguarding hold, read the same, so a hold can never be
# told apart from ordinary work (a hold on a case waiting for the parent's
# evidence or answer therefore reads as "still working" too, and so does a
# hold on records already approved, whose download stops with it: the same
# words as a bundle taken back for more work).
WORKING_LABEL = "We are still working on your request"
# From approval (when the parent is told) until the case is closed.
READY_LABEL = "Your records are ready"
PARENT_STATUS_LABELS = {
    S.SUBMITTED: "Received",
    S.AWAITING_EVIDENCE: "We need evidence from you",
    S.CLARIFICATION: "We need more information from you",
    S.IN_PROGRESS: WORKING_LABEL,
    S.IN_REVIEW: WORKING_LABEL,
    S.AWAITING_APPROVAL: WORKING_LABEL,
    S.APPROVED: READY_LABEL,
    S.ON_HOLD: WORKING_LABEL,
    S.RELEASED: READY_LABEL,
    S.CLOSED: "Completed",
    S.REFUSED: "Refused",
    S.WITHDRAWN: "Withdrawn",
}


def parent_status_label(case: SubjectCase) -> str:
    """The status as the parent's screens show it."""
    return PARENT_STATUS_LABELS[case.status]
