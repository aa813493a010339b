"""A bundle in headless Chromium. The parent downloads their approved records:
the request page offers the PDF (axe-core finds nothing wrong), the file
arrives as a download, a session checked too long ago is asked for its second
factor again and the download follows, and an expired download says so in
plain words on an accessible page. A caseworker watches a bundle being
prepared: the progress updates by itself and the page shows the outcome.
No script or style is blocked by the Content-Security-Policy."""

import datetime as dt
import time

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from portal.accounts.factors import VERIFIED_AT_SESSION_KEY
from sar import roles
from sar.models import Bundle, BundleStatus, CaseStatus, Delivery, Scope
from sar.workflow import request_submit
from tests.e2e.axe import assert_accessible
from tests.portal.accounts.factories import (
    PASSWORD,
    ParentFactory,
    StaffFactory,
    add_totp,
    totp_for,
)
from tests.sar.factories import confidentiality_revision
from tests.sar.steps import STAND_IN_PDF, give_ready_bundle, put_case_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def parent():
    return ParentFactory(full_name="Jordan Example")


@pytest.fixture
def approved(parent):
    request = request_submit(
        requester=parent,
        about_requester=True,
        scope=Scope.EVERYTHING,
        delivery=Delivery.DOWNLOAD,
        code_revision=confidentiality_revision(),
    )
    return put_case_in(request.cases.get(), CaseStatus.APPROVED, preparer=StaffFactory())


def sign_in(page, parent, device, next_url):
    page.goto(f"/account/sign-in/?next={next_url}")
    page.get_by_label("Email address").fill(parent.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    confirm_second_factor(page, device)


def confirm_second_factor(page, device):
    page.get_by_role("heading", name="Check it is you", exact=True).wait_for()
    page.get_by_label("Security code").fill(totp_for(device).now())
    page.get_by_role("button", name="Continue").click()


def test_the_parent_downloads_their_records_after_a_fresh_check(
    page, parent, approved, console_errors, tmp_path
):
    device = add_totp(parent)
    detail = f"/requests/{approved.request.reference}/"
    sign_in(page, parent, device, detail)
    page.get_by_role("heading", name="Your records", exact=True).wait_for()
    assert_accessible(page)
    link = page.get_by_role("link", name="Download your records (PDF, 1 page")

    # The check at sign-in is recent: the file comes straight away.
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"records-{approved.request.reference}.pdf"
    assert saved.read_bytes() == STAND_IN_PDF

    # Checked too long ago: asked again (step-up), then the download follows.
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=session_key)
    session[VERIFIED_AT_SESSION_KEY] = time.time() - 2 * 60 * 60
    session.save()
    link.click()
    page.get_by_role("heading", name="Confirm it is you", exact=True).wait_for()
    assert_accessible(page)
    # The next time step's code (the one used to sign in cannot be used twice).
    page.get_by_label("Security code").fill(totp_for(device).at(time.time() + 30))
    with page.expect_download() as again:
        page.get_by_role("button", name="Continue").click()
    assert again.value.suggested_filename == saved.name
    assert console_errors == []


def test_an_expired_download_is_explained_on_an_accessible_page(
    page, parent, approved, console_errors
):
    Bundle.objects.filter(subject_case=approved).update(
        available_until=timezone.now() - dt.timedelta(days=1)
    )
    device = add_totp(parent)
    sign_in(page, parent, device, f"/requests/{approved.request.reference}/")

    page.get_by_text("This download has expired. Contact us to ask for it again.").wait_for()
    assert_accessible(page)
    assert page.get_by_role("link", name="Download your records").count() == 0

    page.goto(f"/requests/{approved.request.reference}/records/{approved.pk}/")
    page.get_by_role("heading", name="Your records cannot be downloaded").wait_for()
    assert_accessible(page)
    # The only console error is the browser noting the page's status (410 Gone).
    assert [e for e in console_errors if "410" not in e] == []


def test_the_case_page_follows_a_bundle_being_prepared(page, console_errors):
    caseworker = StaffFactory(full_name="Casey Worker")
    caseworker.groups.add(Group.objects.get(name=roles.CASEWORKER))
    parent = ParentFactory()
    request = request_submit(
        requester=parent,
        about_requester=True,
        scope=Scope.EVERYTHING,
        delivery=Delivery.DOWNLOAD,
        code_revision=confidentiality_revision(),
    )
    case = put_case_in(request.cases.get(), CaseStatus.IN_REVIEW, preparer=caseworker)
    bundle = Bundle.objects.get(subject_case=case)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.RENDERING, file="", sha256="", progress_done=12, progress_total=40
    )
    device = add_totp(caseworker)
    sign_in(page, caseworker, device, f"/admin/requests/cases/{case.pk}/")

    status = page.locator("[data-sar-bundle-status]")
    status.get_by_text("12 of 40 records").wait_for()
    Bundle.objects.filter(pk=bundle.pk).update(progress_done=30)
    status.get_by_text("30 of 40 records").wait_for()
    give_ready_bundle(case, prepared_by=caseworker)
    page.get_by_role("link", name="Open the PDF").wait_for()
    assert "Ready" in status.inner_text()
    # (Wagtail's avatar from gravatar.com is refused by the admin's policy: not ours.)
    assert [e for e in console_errors if "gravatar.com" not in e] == []
