"""Test helpers: put a case straight into any status (consistently with the
constraints, and with the ready bundle the later statuses need), and take any
step of the transition table by name."""

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone

from sar.encryption import write_encrypted_file
from sar.models import (
    TERMINAL_STATUSES,
    Bundle,
    BundleStatus,
    CaseStatus,
    HoldExemption,
    SubjectCase,
)
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


# From review on, a case has a ready bundle (submitting for approval needs one).
BUNDLE_STATUSES = (
    CaseStatus.IN_REVIEW,
    CaseStatus.AWAITING_APPROVAL,
    CaseStatus.APPROVED,
    CaseStatus.RELEASED,
    CaseStatus.CLOSED,
    CaseStatus.ON_HOLD,
)
# Statuses in which the parent has been told and may download it.
APPROVED_STATUSES = (CaseStatus.APPROVED, CaseStatus.RELEASED, CaseStatus.CLOSED)
# A tiny stand-in for a rendered bundle (the PDF tests render real ones).
STAND_IN_PDF = b"%PDF-1.7\n% stand-in bundle for tests\n%%EOF\n"


def give_ready_bundle(
    case: SubjectCase, *, prepared_by, approved: bool = False, pdf: bytes = STAND_IN_PDF
) -> Bundle:
    """A ready bundle for ``case`` (replacing any), stored encrypted like a real
    one; ``approved`` makes it downloadable for BUNDLE_DOWNLOAD_DAYS."""
    Bundle.objects.filter(subject_case=case).delete()
    bundle = Bundle(
        subject_case=case,
        prepared_by=prepared_by,
        status=BundleStatus.READY,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size_bytes=len(pdf),
        page_count=1,
        finished_at=timezone.now(),
        available_until=(
            timezone.now() + datetime.timedelta(days=settings.BUNDLE_DOWNLOAD_DAYS)
            if approved
            else None
        ),
    )
    write_encrypted_file(bundle.file, pdf, name="bundle.pdf", save=False)
    bundle.save()
    return bundle


def put_case_in(case: SubjectCase, status: str, *, preparer=None) -> SubjectCase:
    """Set ``case``'s status directly, with the fields that status implies
    (from review on, a ready bundle prepared by ``preparer``, or by a
    caseworker made for it)."""
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
    if status in BUNDLE_STATUSES:
        give_ready_bundle(
            case,
            prepared_by=preparer or _bundle_preparer(),
            approved=status in APPROVED_STATUSES,
        )
    case.refresh_from_db()
    return case


def _bundle_preparer():
    from django.contrib.auth.models import Group

    from sar import roles
    from tests.sar.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=roles.CASEWORKER)[0])
    return user


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
