"""Preparing a bundle and taking it through approval: who may prepare it and
when, what it refuses (undecided suggestions, no records), the ready bundle's
checksum, preparing again voiding an approval, four eyes on the bundle (the
preparer never approves it), and what approval gives the parent."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from sar import bundles, roles
from sar.bundles import messages as bundle_messages
from sar.exceptions import InvalidTransition, NotPermitted, RuleViolation
from sar.models import BundleStatus, CaseStatus, SubjectCase, TimelineEntry
from sar.records import records_attach
from sar.workflow import (
    allowed_transitions,
    case_approve,
    case_return,
    case_submit_for_approval,
    messages,
    parent_status_label,
)
from sar.workflow.table import READY_LABEL, WORKING_LABEL
from tests.sar.bundle_support import (  # noqa: F401 - the autouse fixture
    _render_in_process,
    accept_every_suggestion,
    in_review,
    make_record,
    page_count,
    pdf_of,
    prepare,
)

pytestmark = pytest.mark.django_db

PHONE_NOTE = "Mum rang from 01632 960123 about the annual review."


@pytest.fixture
def case(submit):
    return submit().cases.get()


@pytest.fixture
def records(parent, caseworker):
    return [
        make_record(parent, caseworker),
        make_record(parent, caseworker, date=dt.date(2024, 4, 2), title="Phone call"),
    ]


@pytest.fixture
def reviewed(case, caseworker, records):
    return in_review(case, caseworker, records)


@pytest.fixture
def ready(reviewed, caseworker, django_capture_on_commit_callbacks):
    return prepare(reviewed, caseworker, django_capture_on_commit_callbacks)


def refreshed(case) -> SubjectCase:
    return SubjectCase.objects.get(pk=case.pk)


# Preparing ---------------------------------------------------------------------


def test_preparing_makes_a_ready_bundle_whose_checksum_is_the_decrypted_pdfs(
    reviewed, caseworker, django_capture_on_commit_callbacks, mailoutbox
):
    bundle = prepare(reviewed, caseworker, django_capture_on_commit_callbacks)

    assert bundle.status == BundleStatus.READY
    assert (bundle.generation, bundle.attempts, bundle.prepared_by) == (1, 1, caseworker)
    pdf = pdf_of(bundle)
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == bundle.sha256
    assert bundle.size_bytes == len(pdf)
    assert bundle.page_count == page_count(pdf)
    assert (bundle.record_count, bundle.withheld_count) == (2, 0)
    assert (bundle.progress_done, bundle.progress_total) == (2, 2)
    assert bundle.task_id
    # Stored encrypted: the file on disk is not a PDF.
    with bundle.file.open("rb") as stored:
        assert not stored.read().startswith(b"%PDF")
    # The caseworker is emailed that it is ready, with nothing about the case.
    [sent] = mailoutbox
    assert sent.to == [caseworker.email]
    assert "ready to check" in sent.subject
    assert reviewed.request.reference not in sent.body
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"sar.bundle.prepare", "sar.bundle.started", "sar.bundle.ready"} <= actions


def test_preparing_is_refused_while_a_suggestion_is_undecided(
    case, parent, caseworker, django_capture_on_commit_callbacks
):
    case = in_review(case, caseworker, [make_record(parent, caseworker, body=PHONE_NOTE)])

    with pytest.raises(RuleViolation) as caught:
        prepare(case, caseworker, django_capture_on_commit_callbacks)

    assert caught.value.message == bundles.undecided_message(1)
    assert "1 suggested redaction still needs a decision" in caught.value.message
    assert not SubjectCase.objects.filter(pk=case.pk, bundle__isnull=False).exists()

    accept_every_suggestion(case, caseworker)
    assert prepare(case, caseworker, django_capture_on_commit_callbacks).status == "ready"


def test_preparing_needs_records_chosen(case, caseworker, django_capture_on_commit_callbacks):
    case = in_review(case, caseworker)

    with pytest.raises(RuleViolation) as caught:
        prepare(case, caseworker, django_capture_on_commit_callbacks)

    assert caught.value.message == bundle_messages.NO_RECORDS


@pytest.mark.parametrize("who", ["approver", "safeguarding_lead", "parent"])
def test_only_a_caseworker_prepares_a_bundle(
    request, reviewed, who, django_capture_on_commit_callbacks
):
    actor = request.getfixturevalue(who)

    with pytest.raises(NotPermitted) as caught:
        prepare(reviewed, actor, django_capture_on_commit_callbacks)

    assert caught.value.message == bundle_messages.NOT_CASEWORKER
    assert not AuditEvent.objects.filter(action="sar.bundle.prepare").exists()


def test_a_caseworker_cannot_prepare_the_bundle_for_their_own_request(
    make_user, submit, django_capture_on_commit_callbacks
):
    colleague = make_user(roles.CASEWORKER)
    own = submit(colleague).cases.get()
    SubjectCase.objects.filter(pk=own.pk).update(status=CaseStatus.IN_REVIEW)

    with pytest.raises(NotPermitted) as caught:
        prepare(own, colleague, django_capture_on_commit_callbacks)

    assert caught.value.message == messages.OWN_REQUEST


@pytest.mark.parametrize(
    "status", [CaseStatus.IN_PROGRESS, CaseStatus.RELEASED, CaseStatus.CLOSED, CaseStatus.ON_HOLD]
)
def test_a_bundle_is_prepared_only_from_review_to_approval(
    reviewed, caseworker, status, django_capture_on_commit_callbacks
):
    SubjectCase.objects.filter(pk=reviewed.pk).update(
        status=status,
        held_from_status=CaseStatus.IN_REVIEW if status == CaseStatus.ON_HOLD else "",
        closed_at=timezone.now() if status == CaseStatus.CLOSED else None,
    )

    with pytest.raises(InvalidTransition) as caught:
        prepare(reviewed, caseworker, django_capture_on_commit_callbacks)

    assert caught.value.message == bundle_messages.NOT_PREPARABLE.format(
        status=CaseStatus(status).label
    )


# Submitting and approving ----------------------------------------------------------


def test_submitting_for_approval_needs_a_ready_bundle(
    reviewed, caseworker, django_capture_on_commit_callbacks
):
    with pytest.raises(RuleViolation) as caught:
        case_submit_for_approval(case=reviewed, actor=caseworker)
    assert caught.value.message == messages.BUNDLE_NOT_READY

    # Asked for but not yet built: still not ready.
    with django_capture_on_commit_callbacks(execute=False):
        bundles.bundle_prepare(subject_case=reviewed, actor=caseworker)
    with pytest.raises(RuleViolation) as caught:
        case_submit_for_approval(case=reviewed, actor=caseworker)
    assert caught.value.message == messages.BUNDLE_NOT_READY


def test_records_chosen_after_the_bundle_was_prepared_need_it_prepared_again(
    ready, reviewed, parent, caseworker, django_capture_on_commit_callbacks
):
    records_attach(
        subject_case=reviewed,
        records=[make_record(parent, caseworker, title="Letter")],
        actor=caseworker,
    )

    with pytest.raises(RuleViolation) as caught:
        case_submit_for_approval(case=reviewed, actor=caseworker)
    assert caught.value.message == messages.BUNDLE_OUT_OF_DATE

    prepare(reviewed, caseworker, django_capture_on_commit_callbacks)
    case = case_submit_for_approval(case=reviewed, actor=caseworker)
    assert case.status == CaseStatus.AWAITING_APPROVAL


def test_the_person_who_prepared_the_bundle_cannot_approve_it(
    reviewed, make_user, preparer, approver, django_capture_on_commit_callbacks
):
    both = make_user(roles.CASEWORKER, roles.APPROVER)
    prepare(reviewed, both, django_capture_on_commit_callbacks)
    # A colleague submits it, so only the bundle's preparer rule stands in the way.
    case = case_submit_for_approval(case=reviewed, actor=preparer)

    assert "approve" not in [t.name for t in allowed_transitions(case, both)]
    with pytest.raises(NotPermitted) as caught:
        case_approve(case=case, actor=both)
    assert caught.value.message == messages.APPROVER_PREPARED_BUNDLE
    assert refreshed(case).status == CaseStatus.AWAITING_APPROVAL

    assert "approve" in [t.name for t in allowed_transitions(case, approver)]
    assert case_approve(case=case, actor=approver).status == CaseStatus.APPROVED


def test_the_person_who_submitted_it_cannot_approve_it_either(
    ready, reviewed, make_user, caseworker
):
    both = make_user(roles.CASEWORKER, roles.APPROVER)
    case = case_submit_for_approval(case=reviewed, actor=both)

    with pytest.raises(NotPermitted) as caught:
        case_approve(case=case, actor=both)
    assert caught.value.message == messages.APPROVER_IS_PREPARER


def test_approval_makes_the_download_available_and_tells_the_parent(
    settings,
    ready,
    reviewed,
    parent,
    caseworker,
    approver,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    settings.BUNDLE_DOWNLOAD_DAYS = 7
    case = case_submit_for_approval(case=reviewed, actor=caseworker)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        case = case_approve(case=case, actor=approver)

    ready.refresh_from_db()
    assert ready.available_until.date() == (timezone.now() + dt.timedelta(days=7)).date()
    assert parent_status_label(case) == READY_LABEL
    entry = TimelineEntry.objects.get(case=case, kind="approve")
    assert entry.visible_to_parent
    assert "Your records are ready" in entry.message
    [sent] = mailoutbox
    assert sent.to == [parent.email]
    assert sent.subject.startswith("Your records are ready")
    for secret in (parent.full_name, case.request.reference, caseworker.full_name):
        assert secret not in f"{sent.subject}\n{sent.body}"


def test_returning_the_bundle_with_a_reason_sends_it_back_to_review(
    ready, reviewed, caseworker, approver, django_capture_on_commit_callbacks
):
    case = case_submit_for_approval(case=reviewed, actor=caseworker)

    case = case_return(case=case, actor=approver, reason="Redact the grandmother's phone number.")

    assert case.status == CaseStatus.IN_REVIEW
    assert prepare(case, caseworker, django_capture_on_commit_callbacks).generation == 2


# Preparing again ---------------------------------------------------------------


def test_preparing_again_after_approval_voids_it_and_replaces_the_file(
    ready,
    reviewed,
    parent,
    caseworker,
    preparer,
    approver,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    case = case_submit_for_approval(case=reviewed, actor=caseworker)
    case = case_approve(case=case, actor=approver)
    old_name = ready.file.name
    storage = ready.file.storage
    assert storage.exists(old_name)
    mailoutbox.clear()

    bundle = prepare(case, preparer, django_capture_on_commit_callbacks, reason="A typo.")

    case = refreshed(case)
    assert case.status == CaseStatus.IN_REVIEW
    assert (case.approved_by, case.approved_at, case.submitted_for_approval_by) == (
        None,
        None,
        None,
    )
    assert parent_status_label(case) == WORKING_LABEL
    assert bundle.status == BundleStatus.READY
    assert (bundle.generation, bundle.prepared_by) == (2, preparer)
    assert bundle.available_until is None
    assert bundle.file.name != old_name
    assert not storage.exists(old_name)
    assert bundle.sha256 == hashlib.sha256(pdf_of(bundle)).hexdigest()
    reopen = TimelineEntry.objects.get(case=case, kind="reopen")
    assert not reopen.visible_to_parent
    event = AuditEvent.objects.get(action="sar.case.reopen")
    assert (event.actor, event.reason, event.data["from"]) == (
        preparer,
        "A typo.",
        CaseStatus.APPROVED,
    )
    # The parent, told their records were ready, reads that they are being updated.
    updating = TimelineEntry.objects.get(case=case, kind="records_updating")
    assert updating.visible_to_parent
    assert updating.message == messages.RECORDS_UPDATING
    assert [m.to for m in mailoutbox if "update on your request" in m.subject] == [[parent.email]]


def test_preparing_again_while_awaiting_approval_takes_it_back_to_review(
    ready, reviewed, caseworker, django_capture_on_commit_callbacks
):
    case = case_submit_for_approval(case=reviewed, actor=caseworker)

    prepare(case, caseworker, django_capture_on_commit_callbacks)

    case = refreshed(case)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.submitted_for_approval_by is None
    assert not TimelineEntry.objects.filter(kind="records_updating").exists()
