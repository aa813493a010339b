"""A parent opens "Your data" in headless Chromium: from their account page,
after signing in with an authenticator code, they see their case file in
numbers, their requests, and who at the service looked at their records, on
two pages. axe-core finds nothing wrong on a desktop and at 320px, the page
reflows at 320px, works with JavaScript off, and nothing is blocked by the
Content-Security-Policy.

Set ``E2E_SCREENSHOT_DIR`` to keep full-page screenshots."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from portal.audit.events import record
from sar import roles
from sar.admin_views.access import CASE_VIEW_PURPOSE
from sar.demo import DEMO_PARENT_EMAIL, load_demo_case_file
from sar.models import Delivery, Scope, ServiceCase
from sar.workflow import request_submit
from tests.e2e.axe import assert_accessible
from tests.portal.accounts.factories import PASSWORD, StaffFactory, add_totp, totp_for
from tests.sar.factories import confidentiality_revision

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_parent():
    """The demo case file's parent, able to sign in, with an open request and
    25 reads of it by staff in different roles."""
    load_demo_case_file()
    case = ServiceCase.objects.get(service_user__email=DEMO_PARENT_EMAIL)
    parent = case.service_user
    parent.set_password(PASSWORD)
    parent.email_verified_at = timezone.now()
    parent.save()
    device = add_totp(parent)
    access_request = request_submit(
        requester=parent,
        about_requester=True,
        scope=Scope.EVERYTHING,
        delivery=Delivery.DOWNLOAD,
        code_revision=confidentiality_revision(),
        acknowledged_at=timezone.now(),
    )
    subject_case = access_request.cases.get()
    readers = [
        StaffFactory(groups=[roles.CASEWORKER]),
        StaffFactory(groups=[roles.APPROVER]),
        StaffFactory(groups=[roles.ADMINISTRATOR]),
    ]
    for n in range(25):
        record(
            action="sar.case.viewed",
            actor=readers[n % 3],
            obj=subject_case,
            reason=CASE_VIEW_PURPOSE,
        )
    return parent, device, access_request


def shot(page, name):
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page, parent, device, *, next_url="/account/"):
    page.goto(f"/account/sign-in/?next={next_url}")
    page.get_by_label("Email address").fill(parent.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check it is you", exact=True).wait_for()
    page.get_by_label("Security code").fill(totp_for(device).now())
    page.get_by_role("button", name="Continue").click()


def test_a_parent_finds_what_we_hold_and_who_looked(page, demo_parent, console_errors):
    parent, device, access_request = demo_parent
    sign_in(page, parent, device)
    page.get_by_role("heading", name="Your account", exact=True).wait_for()
    page.get_by_role("link", name="See what we hold about you and who has looked at it").click()

    page.get_by_role("heading", name="Your data", exact=True).wait_for()
    main = page.locator("main").inner_text()
    assert "40 records, dated from" in main
    assert access_request.reference in main
    assert "A caseworker looked at your request" in main
    assert "An approver looked at your request" in main
    assert "Page 1 of 2" in main
    assert_accessible(page)
    shot(page, "my-data")

    page.get_by_role("link", name="Next page").click()
    page.get_by_text("Page 2 of 2").wait_for()
    assert page.locator("main").inner_text().count("looked at your request") == 5
    assert_accessible(page)
    assert console_errors == []


def test_the_page_reflows_at_320_pixels(phone_page, demo_parent):
    parent, device, _request = demo_parent
    sign_in(phone_page, parent, device, next_url="/requests/your-data/")

    phone_page.get_by_role("heading", name="Your data", exact=True).wait_for()
    assert_accessible(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 320
    shot(phone_page, "my-data-320")


def test_the_page_works_without_javascript(browser, live_server, demo_parent):
    parent, device, _request = demo_parent
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, parent, device, next_url="/requests/your-data/")
        page.get_by_role("heading", name="Your data", exact=True).wait_for()
        page.get_by_role("link", name="Page 2", exact=True).click()
        page.get_by_text("Page 2 of 2").wait_for()
        assert "looked at your request" in page.locator("main").inner_text()
    finally:
        context.close()
