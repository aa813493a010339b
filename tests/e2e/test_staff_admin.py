"""A caseworker's day in headless Chromium: sign in with a password and an
authenticator code, open the Requests dashboard from the admin menu, open a
case, and ask the requester to clarify (a step with a reason). Wagtail's own
admin pages are not audited with axe here; the words on each page are."""

import time

import pytest
from django.contrib.auth.models import Group

from sar import roles
from sar.models import CaseStatus, Delivery, Scope, TimelineEntry
from sar.workflow import request_submit
from tests.portal.accounts.factories import add_totp, totp_for
from tests.sar.factories import ChildFactory, UserFactory, confidentiality_revision

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a long walk on the downs 77"
CHILD_NAME = "Marigold Featherstonehaugh"
QUESTION = "Which school years do you want records from?"


@pytest.fixture
def caseworker():
    user = UserFactory(
        email="casey.worker@sendiass.example.org",
        full_name="Casey Worker",
        password=PASSWORD,
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=roles.CASEWORKER))
    return user


@pytest.fixture
def case():
    parent = UserFactory(full_name="Pat Parent")
    child = ChildFactory(parent=parent, full_name=CHILD_NAME)
    request = request_submit(
        requester=parent,
        about_requester=False,
        children=[child],
        scope=Scope.EVERYTHING,
        delivery=Delivery.DOWNLOAD,
        code_revision=confidentiality_revision(),
    )
    return request.cases.get()


def sign_in(page, user, next_url):
    """The portal's sign-in page, then the authenticator app challenge."""
    totp = totp_for(add_totp(user))
    page.goto(f"/account/sign-in/?next={next_url}")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(totp.at(time.time()))
    page.get_by_role("button", name="Continue").click()


def test_caseworker_opens_the_dashboard_and_a_case_and_asks_for_clarification(
    page, caseworker, case
):
    sign_in(page, caseworker, "/admin/")
    page.get_by_role("heading", name="SENDIASS records portal").first.wait_for()

    # The Requests menu opens the dashboard.
    page.get_by_role("button", name="Requests").click()
    page.get_by_role("link", name="Case dashboard").click()
    page.wait_for_url("**/admin/requests/")
    main = page.locator("main")
    main.get_by_text("Cases needing attention").wait_for(state="attached")
    words = main.inner_text()
    assert "Overdue" in words
    assert "Due in 7 days" in words
    assert "Awaiting approval" in words
    assert case.request.reference in words
    assert "Child (" in words
    assert CHILD_NAME not in words  # the list names nobody

    # The case page.
    main.get_by_role("link", name=case.request.reference).click()
    page.get_by_role("heading", name="What you can do").wait_for()
    words = page.locator("main").inner_text()
    assert CHILD_NAME in words
    assert "The request" in words
    assert "Timeline" in words
    assert "Approve release" not in words  # an approver's step: no button

    # One step, with a reason the requester will read.
    page.get_by_role("link", name="Ask the requester to clarify").click()
    page.get_by_label("Your question for the requester").fill(QUESTION)
    page.get_by_role("button", name="Ask the requester to clarify").click()

    page.get_by_role("heading", name="What you can do").wait_for()
    words = page.locator("main").inner_text()
    assert "The case is now “Clarification requested (clock paused)”" in page.content()
    assert QUESTION in words
    case.refresh_from_db()
    assert case.status == CaseStatus.CLARIFICATION
    entry = TimelineEntry.objects.get(case=case, kind="request_clarification")
    assert entry.actor == caseworker and entry.visible_to_parent
