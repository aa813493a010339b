"""Test helpers: put a case straight into any status (consistently with the
constraints), and take any step of the transition table by name."""

from django.utils import timezone

from sar.models import TERMINAL_STATUSES, CaseStatus, HoldExemption, SubjectCase
from sar.workflow import (
    CASE_STEPS,
    TRANSITIONS_BY_NAME,
    request_answer_clarification,
    request_withdraw,
)

REASON = "Because the records need it."
# The exemption a safeguarding hold relies on, in these tests.
EXEMPTION = HoldExemption.EDUCATION_SERIOUS_HARM
# Where a case on hold goes back to, in these tests.
HELD_FROM = CaseStatus.IN_REVIEW


def put_case_in(case: SubjectCase, status: str, *, preparer=None) -> SubjectCase:
    """Set ``case``'s status directly, with the fields that status implies."""
    SubjectCase.objects.filter(pk=case.pk).update(
        status=status,
        held_from_status=HELD_FROM if status == CaseStatus.ON_HOLD else "",
        closed_at=timezone.now() if status in TERMINAL_STATUSES else None,
        refusal_reason=REASON if status == CaseStatus.REFUSED else "",
        submitted_for_approval_by=preparer if status == CaseStatus.AWAITING_APPROVAL else None,
    )
    request = case.request
    if status == CaseStatus.CLARIFICATION:
        request.paused_since = request.clock_started_on
        request.save(update_fields=["paused_since"])
    case.refresh_from_db()
    return case


def take_step(name: str, case: SubjectCase, actor, *, reason: str = REASON):
    """Take the step ``name`` from the table on ``case`` as ``actor``."""
    if name == "answer_clarification":
        return request_answer_clarification(parent=actor, request=case.request, answer=reason)
    if name == "withdraw":
        return request_withdraw(parent=actor, request=case.request)
    assert not TRANSITIONS_BY_NAME[name].request_level
    if name == "place_hold":
        return CASE_STEPS[name](case=case, actor=actor, reason=reason, exemption=EXEMPTION)
    return CASE_STEPS[name](case=case, actor=actor, reason=reason)
