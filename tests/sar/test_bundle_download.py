"""The parent's download of their approved records: only the requester, only
after a fresh second-factor check, only while approved or released, not
revoked, not expired and not on hold; served as an attachment that is never
cached; every download an audit event that staff see; the first one records
that the records were given."""

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.accounts.factors import VERIFIED_AT_SESSION_KEY
from portal.audit.models import AuditEvent
from sar import bundles
from sar.bundles import messages as bundle_messages
from sar.models import Bundle, CaseStatus, HoldExemption, SafeguardingHold, TimelineEntry
from sar.workflow import case_lift_hold, case_place_hold
from tests.sar.factories import ChildFactory
from tests.sar.steps import STAND_IN_PDF, put_case_in
from tests.sar.views.journey import url, verify

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def case(submit, preparer):
    case = submit().cases.get()
    return put_case_in(case, CaseStatus.APPROVED, preparer=preparer)


@pytest.fixture
def bundle(case):
    return Bundle.objects.get(subject_case=case)


@pytest.fixture
def parent_client(parent):
    return verify(Client(), parent)


def download_url(case) -> str:
    return url("download", case.request.reference, case.pk)


def detail(client, case) -> str:
    return text(client.get(url("request_detail", case.request.reference)))


def downloads(bundle):
    return AuditEvent.objects.filter(action="sar.bundle.downloaded", object_id=str(bundle.pk))


def test_the_requester_downloads_the_pdf_as_an_uncached_attachment(
    parent_client, parent, case, bundle
):
    page = detail(parent_client, case)
    assert f'href="{download_url(case)}"' in page
    assert "Download your records (PDF, 1 page," in page

    response = parent_client.get(download_url(case))

    assert response.status_code == 200
    assert response.streaming  # decrypted as it is sent, never held whole
    assert b"".join(response.streaming_content) == STAND_IN_PDF
    assert response["Content-Length"] == str(len(STAND_IN_PDF))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="records-{case.request.reference}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    [event] = downloads(bundle)
    assert event.actor == parent
    assert event.reason == bundles.PARENT_DOWNLOAD_PURPOSE
    assert event.data == {
        "request": case.request.reference,
        "case": case.pk,
        "generation": bundle.generation,
        "sha256": bundle.sha256,
    }


def test_the_first_download_records_that_the_records_were_given(
    parent_client, parent, case, bundle
):
    parent_client.get(download_url(case))
    case.refresh_from_db()
    assert case.status == CaseStatus.RELEASED
    entry = TimelineEntry.objects.get(case=case, kind="release")
    assert (entry.actor, entry.visible_to_parent) == (parent, False)
    assert AuditEvent.objects.get(action="sar.case.release").data["from"] == CaseStatus.APPROVED

    # Released, it can still be downloaded until it expires; each time is logged.
    assert parent_client.get(download_url(case)).status_code == 200
    assert downloads(bundle).count() == 2
    assert TimelineEntry.objects.filter(case=case, kind="release").count() == 1
    assert "Your records are ready" in detail(parent_client, case)


def test_a_download_needs_a_recent_second_factor_check(parent_client, case, bundle):
    session = parent_client.session
    session[VERIFIED_AT_SESSION_KEY] = (timezone.now() - dt.timedelta(hours=2)).timestamp()
    session.save()

    response = parent_client.get(download_url(case))

    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert location.path == reverse("accounts:challenge")
    query = parse_qs(location.query)
    assert query["next"] == [download_url(case)]
    assert query["step_up"] == ["1"]
    assert not downloads(bundle).exists()


def test_nobody_else_can_download_it(case, bundle, other_parent, submit, parent_client):
    other = verify(Client(), other_parent)
    assert other.get(download_url(case)).status_code == 404

    # Nor by putting another request's case under one's own reference.
    mine = submit().cases.get()
    assert parent_client.get(url("download", mine.request.reference, case.pk)).status_code == 404
    mine = submit(other_parent).cases.get()
    assert other.get(url("download", mine.request.reference, case.pk)).status_code == 404
    assert not downloads(bundle).exists()


def test_signed_out_visitors_are_sent_to_sign_in(case):
    response = Client().get(download_url(case))
    assert urlparse(response["Location"]).path == reverse("accounts:sign_in")


def test_staff_accounts_cannot_download_a_parents_records(case, caseworker):
    client = verify(Client(), caseworker)
    assert client.get(download_url(case))["Location"] == reverse("accounts:dashboard")


def test_an_expired_download_says_so_in_plain_words(parent_client, case, bundle):
    Bundle.objects.filter(pk=bundle.pk).update(
        available_until=timezone.now() - dt.timedelta(minutes=1)
    )

    response = parent_client.get(download_url(case))

    assert response.status_code == 410
    assert bundle_messages.EXPIRED_MESSAGE in text(response)
    page = detail(parent_client, case)
    assert bundle_messages.EXPIRED_MESSAGE in page
    assert download_url(case) not in page
    assert not downloads(bundle).exists()


def test_a_revoked_download_is_no_longer_available_until_made_available_again(
    parent_client, case, bundle, caseworker, django_capture_on_commit_callbacks, mailoutbox
):
    bundles.bundle_revoke(bundle=bundle, actor=caseworker, reason="Sent to the wrong address.")

    response = parent_client.get(download_url(case))
    assert response.status_code == 410
    assert bundle_messages.NO_LONGER_MESSAGE in text(response)
    page = detail(parent_client, case)
    assert bundle_messages.NO_LONGER_MESSAGE in page
    assert "wrong address" not in page

    with django_capture_on_commit_callbacks(execute=True):
        bundles.bundle_make_available(bundle=bundle, actor=caseworker)

    assert parent_client.get(download_url(case)).status_code == 200
    assert "available to download again" in detail(parent_client, case)
    assert [m.to for m in mailoutbox] == [[case.request.requester.email]]


def test_a_hold_stops_the_download_without_saying_why(
    parent_client, case, bundle, safeguarding_lead
):
    case_place_hold(
        case=case,
        actor=safeguarding_lead,
        reason="A concern about a sibling.",
        exemption=HoldExemption.EDUCATION_SERIOUS_HARM,
    )

    assert parent_client.get(download_url(case)).status_code == 404
    page = detail(parent_client, case)
    assert download_url(case) not in page
    assert "Your records" not in page
    for word in ("on hold", "safeguarding", "expired", "no longer available"):
        assert word not in page.lower()

    case_lift_hold(case=case, actor=safeguarding_lead, reason="Resolved.")
    assert parent_client.get(download_url(case)).status_code == 200


def test_a_standing_hold_stops_the_download_even_before_the_case_is_moved(
    parent_client, case, bundle, safeguarding_lead
):
    # A hold that covers the case while its status still says approved (a
    # service case's hold reaching it, say): the standing hold alone decides.
    hold = SafeguardingHold.objects.create(
        subject_case=case,
        exemption=HoldExemption.EDUCATION_SERIOUS_HARM,
        reason="A concern about a sibling.",
        placed_by=safeguarding_lead,
    )
    hold.cases.add(case)
    case.refresh_from_db()
    assert case.status != CaseStatus.ON_HOLD

    page = detail(parent_client, case)
    assert download_url(case) not in page
    assert "on hold" not in page.lower()
    assert parent_client.get(download_url(case)).status_code == 404


@pytest.mark.parametrize(
    "status", [CaseStatus.IN_REVIEW, CaseStatus.AWAITING_APPROVAL, CaseStatus.WITHDRAWN]
)
def test_nothing_is_offered_before_approval(parent_client, submit, preparer, status):
    case = put_case_in(submit().cases.get(), status, preparer=preparer)

    assert parent_client.get(download_url(case)).status_code == 404
    assert "Download your records" not in detail(parent_client, case)


def test_a_closed_case_no_longer_offers_the_download(parent_client, submit, preparer):
    case = put_case_in(submit().cases.get(), CaseStatus.CLOSED, preparer=preparer)

    assert parent_client.get(download_url(case)).status_code == 410
    assert bundle_messages.NO_LONGER_MESSAGE in detail(parent_client, case)


def test_each_person_on_a_request_has_their_own_download(parent_client, parent, submit, preparer):
    child = ChildFactory(parent=parent, full_name="Casey Child")
    request = submit(children=[child])
    mine, theirs = request.cases.order_by("id")
    put_case_in(mine, CaseStatus.APPROVED, preparer=preparer)
    put_case_in(theirs, CaseStatus.APPROVED, preparer=preparer)

    page = detail(parent_client, mine)
    assert "Download the records about you (PDF" in page
    assert "Download the records about Casey Child (PDF" in page
    response = parent_client.get(download_url(theirs))
    assert response["Content-Disposition"] == (
        f'attachment; filename="records-{request.reference}-2.pdf"'
    )


def test_a_file_that_does_not_match_its_checksum_is_not_served(parent_client, case, bundle):
    Bundle.objects.filter(pk=bundle.pk).update(sha256="0" * 64)

    response = parent_client.get(download_url(case))

    assert response.status_code == 410
    assert STAND_IN_PDF not in response.content


def test_a_file_altered_on_disk_is_not_served(parent_client, case, bundle):
    # One byte changed inside the encrypted file: its segment no longer opens.
    path = Path(bundle.file.path)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))

    response = parent_client.get(download_url(case))

    assert response.status_code == 410
    assert STAND_IN_PDF not in response.content
    assert not downloads(bundle).exists()
