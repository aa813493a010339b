"""The case page's Bundle section in the Wagtail admin: preparing (and, past
review, preparing again after a warning), progress, the outcome and its
failure reason with "Try again", opening the PDF (audited), the requester's
downloads, and revoking or renewing the download. Refusals show the domain's
message; nothing here is a 500."""

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from sar import bundles
from sar.bundles import messages as bundle_messages
from sar.models import Bundle, BundleStatus, CaseStatus
from sar.workflow import case_approve, case_submit_for_approval
from tests.sar.admin_support import case_url, shows, staff_client_fixture  # noqa: F401
from tests.sar.bundle_support import (  # noqa: F401 - the autouse fixture
    _render_in_process,
    in_review,
    make_record,
)
from tests.sar.steps import STAND_IN_PDF, put_case_in

pytestmark = pytest.mark.django_db


def bundle_url(case, name: str) -> str:
    return reverse(f"sar_admin:bundle_{name}", args=[case.pk])


@pytest.fixture
def case(submit, parent, caseworker):
    return in_review(submit().cases.get(), caseworker, [make_record(parent, caseworker)])


@pytest.fixture
def approved(submit, preparer):
    return put_case_in(submit().cases.get(), CaseStatus.APPROVED, preparer=preparer)


def test_a_caseworker_prepares_the_bundle_from_the_case_page(
    staff_client, caseworker, case, django_capture_on_commit_callbacks
):
    client = staff_client(caseworker)
    page = client.get(case_url(case)).content.decode()
    assert 'id="sar-bundle-heading"' in page
    assert "No bundle has been prepared for this case yet." in page
    assert 'data-bundle-action="prepare"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bundle_url(case, "prepare"), {"from_case": "1"})

    assert response.status_code == 302
    assert response["Location"] == case_url(case) + "#sar-bundle-heading"
    bundle = Bundle.objects.get(subject_case=case)
    assert bundle.status == BundleStatus.READY
    page = client.get(case_url(case)).content.decode()
    assert "being prepared" in page  # the success message
    assert bundle.sha256 in page
    assert f'href="{bundle_url(case, "pdf")}"' in page
    assert "Prepare the bundle again" in page


def test_preparing_shows_the_domains_refusal_on_the_case_page(
    staff_client, caseworker, parent, submit
):
    case = in_review(submit().cases.get(), caseworker)  # no records chosen

    response = staff_client(caseworker).post(
        bundle_url(case, "prepare"), {"from_case": "1"}, follow=True
    )

    assert response.status_code == 200
    assert shows(response, bundle_messages.NO_RECORDS)
    assert not Bundle.objects.filter(subject_case=case).exists()


def test_an_approver_sees_no_prepare_button_and_a_forged_post_is_refused(
    staff_client, approver, case
):
    client = staff_client(approver)
    assert 'data-bundle-action="prepare"' not in client.get(case_url(case)).content.decode()

    response = client.post(bundle_url(case, "prepare"), {"from_case": "1"}, follow=True)

    assert shows(response, bundle_messages.NOT_CASEWORKER)


def test_preparing_again_after_approval_asks_first_and_voids_the_approval(
    staff_client, caseworker, approved, django_capture_on_commit_callbacks
):
    client = staff_client(caseworker)
    page = client.get(case_url(approved)).content.decode()
    assert f'href="{bundle_url(approved, "prepare")}"' in page

    confirm = client.get(bundle_url(approved, "prepare"))
    assert confirm.status_code == 200
    assert "approval, or the request for it, is void" in confirm.content.decode()

    # Stand-in records so the bundle can be built (put_case_in made no records).
    from sar.records import records_attach

    records_attach(
        subject_case=approved,
        records=[make_record(approved.request.requester, caseworker)],
        actor=caseworker,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bundle_url(approved, "prepare"), {"reason": "A typo on page 2."})

    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == CaseStatus.IN_REVIEW
    event = AuditEvent.objects.get(action="sar.case.reopen")
    assert event.reason == "A typo on page 2."


def test_progress_is_shown_while_the_bundle_is_prepared(
    staff_client, caseworker, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        bundle = bundles.bundle_prepare(subject_case=case, actor=caseworker)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.RENDERING, progress_done=12, progress_total=40
    )
    client = staff_client(caseworker)

    page = client.get(case_url(case)).content.decode()
    fragment = client.get(bundle_url(case, "status"))

    for html in (page, fragment.content.decode()):
        assert "12 of 40 records" in html
        assert 'data-pending="true"' in html
        assert "Refresh the page" in html
    assert "sar/bundle-status.js" in page
    assert "no-store" in fragment["Cache-Control"]


def test_a_bundle_started_again_after_stopping_part_way_says_so(
    staff_client, caseworker, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        bundle = bundles.bundle_prepare(subject_case=case, actor=caseworker)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.RENDERING, attempts=2, progress_done=3, progress_total=40
    )

    fragment = staff_client(caseworker).get(bundle_url(case, "status")).content.decode()

    assert "3 of 40 records" in fragment
    assert "Attempt 2: an earlier attempt stopped part-way" in fragment


def test_a_failed_bundle_shows_why_and_can_be_tried_again(
    staff_client, caseworker, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        bundle = bundles.bundle_prepare(subject_case=case, actor=caseworker)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.FAILED, error=bundle_messages.FAILED_RENDER
    )
    client = staff_client(caseworker)
    page = client.get(case_url(case)).content.decode()
    assert "Failed:" in page
    assert shows(client.get(case_url(case)), bundle_messages.FAILED_RENDER)
    assert 'data-bundle-action="retry"' in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(bundle_url(case, "retry"))

    bundle.refresh_from_db()
    assert (bundle.status, bundle.generation) == (BundleStatus.READY, 2)


def test_opening_the_pdf_is_an_audited_download(staff_client, approver, approved):
    bundle = Bundle.objects.get(subject_case=approved)

    response = staff_client(approver).get(bundle_url(approved, "pdf"))

    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert pdf == STAND_IN_PDF
    assert hashlib.sha256(pdf).hexdigest() == bundle.sha256
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="sar.bundle.viewed")
    assert (event.actor, event.reason) == (approver, bundles.STAFF_VIEW_PURPOSE)
    assert event.object_id == str(bundle.pk)


def test_a_pdf_that_no_longer_matches_its_checksum_is_not_opened(staff_client, approver, approved):
    bundle = Bundle.objects.get(subject_case=approved)
    Bundle.objects.filter(pk=bundle.pk).update(sha256="0" * 64)
    client = staff_client(approver)

    response = client.get(bundle_url(approved, "pdf"))

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="sar.bundle.viewed").exists()
    assert shows(client.get(case_url(approved)), bundle_messages.FILE_DAMAGED)


def test_a_content_editor_cannot_open_the_pdf(staff_client, make_user, approved):
    editor = make_user("Content editor")
    response = staff_client(editor).get(bundle_url(approved, "pdf"))
    assert response.status_code in (302, 403)
    assert not AuditEvent.objects.filter(action="sar.bundle.viewed").exists()


def test_the_case_page_lists_the_requesters_downloads(staff_client, approver, parent, approved):
    bundle = Bundle.objects.get(subject_case=approved)
    bundles.bundle_download(user=parent, reference=approved.request.reference, case_id=approved.pk)

    page = staff_client(approver).get(case_url(approved)).content.decode()

    assert "Downloads by the requester" in page
    event = AuditEvent.objects.get(action="sar.bundle.downloaded")
    assert timezone.localtime(event.timestamp).strftime("%-d %b %Y %H:%M") in page
    assert "The requester has not downloaded the bundle." not in page
    assert bundle.available_until is not None


def test_revoking_needs_a_reason_and_making_available_again_sets_a_new_expiry(
    settings, staff_client, caseworker, approved, django_capture_on_commit_callbacks
):
    settings.BUNDLE_DOWNLOAD_DAYS = 10
    client = staff_client(caseworker)
    assert (
        f'href="{bundle_url(approved, "revoke")}"'
        in client.get(case_url(approved)).content.decode()
    )

    response = client.post(bundle_url(approved, "revoke"), {"reason": ""})
    assert response.status_code == 200
    assert shows(response, bundle_messages.REVOKE_REASON_REQUIRED)

    response = client.post(bundle_url(approved, "revoke"), {"reason": "Wrong child's file."})
    assert response.status_code == 302
    bundle = Bundle.objects.get(subject_case=approved)
    assert bundle.revoked_by == caseworker
    assert AuditEvent.objects.get(action="sar.bundle.revoked").reason == "Wrong child's file."
    page = client.get(case_url(approved)).content.decode()
    assert "Revoked on" in page and "Wrong child" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(bundle_url(approved, "available"))
    bundle.refresh_from_db()
    assert bundle.revoked_at is None
    expected = (timezone.now() + dt.timedelta(days=10)).date()
    assert bundle.available_until.date() == expected


def test_a_safeguarding_lead_cannot_revoke_the_download(staff_client, safeguarding_lead, approved):
    response = staff_client(safeguarding_lead).post(
        bundle_url(approved, "revoke"), {"reason": "A concern."}
    )

    assert response.status_code == 200
    assert shows(response, bundle_messages.NOT_DOWNLOAD_STAFF)
    assert Bundle.objects.get(subject_case=approved).revoked_at is None


def test_the_approver_sees_the_bundle_and_approves_it(
    staff_client, approver, caseworker, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bundles.bundle_prepare(subject_case=case, actor=caseworker)
    case_submit_for_approval(case=case, actor=caseworker)
    client = staff_client(approver)

    page = client.get(case_url(case)).content.decode()

    assert 'data-step="approve"' in page
    assert f'href="{bundle_url(case, "pdf")}"' in page
    case_approve(case=case, actor=approver)
    page = client.get(case_url(case)).content.decode()
    assert "Available until" in page
