"""The governance screens in headless Chromium: a safeguarding lead holds a
family's service case from the admin menu and lifts it with a decision; a
caseworker records that a young person left education and disposes of a case
that is due, typing its name. The content of each new screen (its ``main``,
which this project writes; Wagtail's own chrome around it is Wagtail's) is
audited with axe."""

import datetime
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from sar import roles
from sar.models import (
    CaseStatus,
    Delivery,
    DisposalTombstone,
    SafeguardingHold,
    Scope,
    ServiceCase,
)
from sar.retention import queue
from sar.workflow import request_submit
from tests.e2e.axe import OPTIONS
from tests.portal.accounts.factories import add_totp, totp_for
from tests.sar.factories import ChildFactory, UserFactory, confidentiality_revision
from tests.sar.steps import put_case_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a long walk on the downs 77"
REASON = "The school reported a disclosure."
DECISION = "Strategy meeting held: release can go ahead."


def staff(email, *groups):
    user = UserFactory(email=email, full_name=email.split("@")[0], password=PASSWORD, is_staff=True)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def sign_in(page, user, next_url):
    totp = totp_for(add_totp(user))
    page.goto(f"/account/sign-in/?next={next_url}")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(totp.at(time.time()))
    page.get_by_role("button", name="Continue").click()


# Our content; Wagtail's message bar (inside main, fading in as axe looks) is
# Wagtail's own.
CONTEXT = {"include": [["main"]], "exclude": [[".messages"]]}


def assert_main_accessible(page) -> None:
    results = Axe().run(page, context=CONTEXT, options=OPTIONS)
    assert results.violations_count == 0, (
        f"{page.url} has accessibility violations:\n{results.generate_report()}"
    )


@pytest.fixture
def family():
    parent = UserFactory(full_name="Pat Parent")
    child = ChildFactory(parent=parent, date_of_birth=datetime.date(2012, 1, 1))
    service_case = ServiceCase.objects.create(
        service_user=parent, opened_on=datetime.date(2020, 9, 1)
    )
    service_case.children.add(child)
    access_request = request_submit(
        requester=parent,
        about_requester=True,
        children=[child],
        scope=Scope.EVERYTHING,
        delivery=Delivery.DOWNLOAD,
        code_revision=confidentiality_revision(),
    )
    for case in access_request.cases.all():
        put_case_in(case, CaseStatus.IN_PROGRESS)
    return service_case


def test_a_lead_holds_a_service_case_and_lifts_it(page, family):
    lead = staff("sam.lead@sendiass.example.org", roles.SAFEGUARDING_LEAD)
    sign_in(page, lead, "/admin/")
    page.get_by_role("heading", name="SENDIASS records portal").first.wait_for()

    page.get_by_role("button", name="Requests").click()
    page.get_by_role("link", name="Safeguarding holds").click()
    page.wait_for_url("**/admin/requests/holds/")
    assert_main_accessible(page)

    page.get_by_role("link", name="Hold a service case").click()
    page.get_by_label("Service case").select_option(str(family.pk))
    page.get_by_label("Education data", exact=False).check()
    page.get_by_label("Reason for the hold").fill(REASON)
    assert_main_accessible(page)
    page.get_by_role("button", name="Place the hold").click()

    page.get_by_role("heading", name="The hold").wait_for()
    words = page.locator("main").inner_text()
    assert REASON in words
    assert "Standing for 0 days" in words
    assert_main_accessible(page)
    hold = SafeguardingHold.objects.get()
    assert hold.cases.count() == 2

    page.get_by_role("link", name="Lift the hold").click()
    page.get_by_label("Decision to lift the hold").fill(DECISION)
    page.get_by_role("button", name="Lift the hold").click()
    page.get_by_role("heading", name="The hold").wait_for()
    assert DECISION in page.locator("main").inner_text()
    hold.refresh_from_db()
    assert not hold.is_standing


def test_a_caseworker_records_left_education_and_disposes_of_a_case(page, family):
    caseworker = staff("casey.worker@sendiass.example.org", roles.CASEWORKER)
    for case in family.service_user.access_requests.get().cases.all():
        put_case_in(case, CaseStatus.CLOSED)
    child = family.children.get()
    sign_in(page, caseworker, "/admin/requests/disposal/")
    page.get_by_role("heading", name="Disposal").first.wait_for()
    assert_main_accessible(page)

    # Not due yet: record that the young person left education long ago.
    page.get_by_role("link", name="All service cases").click()
    page.get_by_role("link", name=str(family)).click()
    page.get_by_role("heading", name="Children on the case").wait_for()
    assert_main_accessible(page)
    page.get_by_role("link", name=f"Record when {child.full_name} left education").click()
    left_on = page.get_by_label("Date they left education")
    left_on.fill("2013-07-20")
    # Wagtail's date picker opens over the button a moment after the field
    # takes focus (later still on a busy machine): once it is open, closed as
    # a keyboard user closes it (Tab, to the next control), or the click
    # lands on the calendar.
    picker = page.locator(".xdsoft_datetimepicker:visible")
    expect(picker).to_have_count(1)
    left_on.press("Tab")
    expect(picker).to_have_count(0)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Children on the case").wait_for()
    assert "20 Jul 2013" in page.locator("main").inner_text()

    queue.disposals_refresh()
    page.reload()
    page.get_by_role("link", name="Dispose of this case").click()
    page.get_by_role("heading", name="What will be destroyed").wait_for()
    assert_main_accessible(page)
    page.get_by_label("Type the case's name to confirm").fill(str(family))
    page.get_by_role("button", name="Dispose of the case").click()

    page.get_by_role("link", name="Download the certificate (PDF)").wait_for()
    assert_main_accessible(page)
    tombstone = DisposalTombstone.objects.get()
    assert tombstone.certificate_number in page.locator("main").inner_text()
    assert not ServiceCase.objects.exists()
