"""A parent asks for records in headless Chromium: signs in with a password and
an authenticator app, answers every question (making mistakes on the way, so
error states are audited too), checks the answers, sends the request, sees the
confirmation, follows it in "Your requests", withdraws it, and withdraws a
sharing consent. axe-core finds nothing wrong on any page; a question page
reflows at 320px; no script or style is blocked by the Content-Security-Policy.

Set ``E2E_SCREENSHOT_DIR`` to keep full-page screenshots of a few pages."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from content.models import ConfidentialityCodePage
from content.seed import publish_confidentiality_code
from sar.consent import consent_record
from sar.models import AccessRequest, CaseStatus, ConsentMethod, Delivery, Scope
from sar.workflow import case_request_clarification, request_submit
from tests.e2e.axe import assert_accessible
from tests.portal.accounts.factories import (
    PASSWORD,
    ParentFactory,
    StaffFactory,
    add_totp,
    totp_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def code_page():
    return publish_confidentiality_code()


@pytest.fixture
def parent():
    return ParentFactory(full_name="Jordan Example")


@pytest.fixture
def signed_in(page, parent, code_page):
    """The parent signed in through the pages: password, then a code from an
    independent TOTP client, arriving at the start page."""
    device = add_totp(parent)
    page.goto("/account/sign-in/?next=/requests/new/")
    page.get_by_label("Email address").fill(parent.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check it is you", exact=True).wait_for()
    page.get_by_label("Security code").fill(totp_for(device).now())
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Ask for your records").wait_for()
    return page


def shot(page, name):
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def heading(page, text):
    page.get_by_role("heading", name=text, exact=True).first.wait_for()


def continue_(page):
    page.get_by_role("button", name="Continue").click()


def errors(page) -> str:
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    # Waits for the answer page: reading the title at once can catch the one being left.
    expect(page).to_have_title(re.compile(r"^Error: "))
    return summary.inner_text()


def test_ask_for_records_check_send_follow_and_withdraw(signed_in, parent, console_errors):
    page = signed_in
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    # Who: nothing chosen first, then both.
    heading(page, "Who do you want records about?")
    assert_accessible(page)
    continue_(page)
    assert "Select who you want records about" in errors(page)
    assert_accessible(page)
    page.get_by_label("Me and my child or children").check()
    continue_(page)

    # The child, with an impossible date first; the name is kept.
    heading(page, "Tell us about the child")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Sam Example")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2015")
    # "Other" reveals a question about the relationship (without aria-expanded).
    other_relationship = page.get_by_label("Your relationship to the child")
    assert not other_relationship.is_visible()
    page.get_by_label("Other", exact=True).check()
    assert other_relationship.is_visible()
    assert page.get_by_label("Other", exact=True).get_attribute("aria-expanded") is None
    continue_(page)
    summary = errors(page)
    assert "Date of birth must be a real date" in summary
    assert "Enter your relationship to the child" in summary
    assert page.get_by_label("Full name").input_value() == "Sam Example"
    shot(page, "child-error")
    assert_accessible(page)
    # The summary link takes focus to the day box.
    page.locator(".govuk-error-summary").get_by_role("link", name=re.compile("real date")).click()
    assert page.evaluate("document.activeElement.id") == "id_date_of_birth_day"
    page.get_by_label("Day").fill("28")
    page.get_by_label("Mother", exact=True).check()
    page.locator("fieldset", has_text="parental responsibility").get_by_label("Yes").check()
    page.locator("fieldset", has_text="court order").get_by_label("No").check()
    continue_(page)

    # The list of children: add a second by mistake and remove it again.
    heading(page, "You have added 1 child")
    assert_accessible(page)
    page.get_by_label("Yes").check()
    continue_(page)
    heading(page, "Tell us about the child")
    page.get_by_label("Full name").fill("Not Meant")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2012")
    page.get_by_label("Father", exact=True).check()
    page.locator("fieldset", has_text="parental responsibility").get_by_label("Yes").check()
    page.locator("fieldset", has_text="court order").get_by_label("No").check()
    continue_(page)
    heading(page, "You have added 2 children")
    page.get_by_role("link", name="Remove Not Meant").click()
    heading(page, "Are you sure you want to remove Not Meant?")
    assert_accessible(page)
    page.get_by_label("Yes").check()
    continue_(page)
    heading(page, "You have added 1 child")
    page.get_by_label("No").check()
    continue_(page)

    # Which records: specific ones, then which.
    heading(page, "Which records do you want?")
    assert_accessible(page)
    page.get_by_label("Specific records").check()
    continue_(page)
    heading(page, "Tell us which records you want")
    continue_(page)
    assert "Enter the dates or topics of the records you want" in errors(page)
    assert_accessible(page)
    page.get_by_label("What the records are about").fill("The EHC needs assessment")
    continue_(page)

    heading(page, "How do you want to get your records?")
    assert_accessible(page)
    page.get_by_label("A copy to download").check()
    continue_(page)

    # Help: "none" is exclusive (GOV.UK Frontend unticks the others, and
    # the interpreter question folds away again).
    heading(page, "Do you need any help or changes to use your records?")
    page.get_by_label("An interpreter").check()
    assert page.get_by_label("Which language?").is_visible()
    page.get_by_label("No, I do not need any of these").check()
    assert not page.get_by_label("An interpreter").is_checked()
    assert not page.get_by_label("Which language?").is_visible()
    page.get_by_label("Large print").check()
    assert_accessible(page)
    continue_(page)

    # The confidentiality code, shown in full, must be acknowledged.
    heading(page, "Read our confidentiality code")
    assert "strict confidence" in page.locator("main").inner_text()
    continue_(page)
    assert "Confirm that you have read the confidentiality code" in errors(page)
    assert_accessible(page)
    page.get_by_label("I have read the confidentiality code").check()
    continue_(page)

    # Check answers, change one, come back.
    heading(page, "Check your answers before sending your request")
    main = page.locator("main").inner_text()
    assert "Sam Example" in main
    assert "28 February 2015" in main
    assert "The EHC needs assessment" in main
    assert "Large print" in main
    shot(page, "check-answers")
    assert_accessible(page)
    page.get_by_role("link", name="Change how you want your records").click()
    heading(page, "How do you want to get your records?")
    page.get_by_label("To look at them at an appointment").check()
    continue_(page)
    heading(page, "Check your answers before sending your request")
    assert "To look at them at an appointment" in page.locator("main").inner_text()
    page.get_by_role("button", name="Accept and send").click()

    # Confirmation.
    heading(page, "Request sent")
    request = AccessRequest.objects.get()
    panel = page.locator(".govuk-panel").inner_text()
    assert request.reference in panel
    assert f"{request.due_on.day} {request.due_on:%B %Y}" in page.locator("main").inner_text()
    shot(page, "confirmation")
    assert_accessible(page)

    # Your requests, the request, withdraw it.
    page.get_by_role("link", name="See all your requests").click()
    heading(page, "Your requests")
    assert request.reference in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name=request.reference).click()
    heading(page, request.reference)
    assert "Your reference is" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Withdraw this request").click()
    heading(page, "Are you sure you want to withdraw this request?")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw request").click()
    heading(page, request.reference)
    assert "You withdrew your request." in page.locator("main").inner_text()
    shot(page, "request-withdrawn")
    assert_accessible(page)
    assert set(request.cases.values_list("status", flat=True)) == {CaseStatus.WITHDRAWN}

    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_sharing_consents_and_withdrawing_one(signed_in, parent, console_errors):
    caseworker = StaffFactory()
    consent_record(
        recorded_by=caseworker,
        parent=parent,
        consent_given_by="Jordan Example",
        what_information="Notes of our meetings",
        recipient="Riverside School",
        purpose="To plan support",
        given_on=parent.date_joined.date(),
        method=ConsentMethod.WRITTEN,
    )
    page = signed_in
    page.goto("/account/")
    heading(page, "Your account")
    assert_accessible(page)
    page.get_by_role("link", name="See who we can share your information with").click()

    heading(page, "Who we can share your information with")
    shot(page, "consents")
    assert_accessible(page)
    page.get_by_role("link", name="Withdraw consent to share with Riverside School").click()
    heading(page, "Are you sure you want to withdraw your consent?")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw consent").click()
    heading(page, "Who we can share your information with")
    assert "Withdrawn" in page.locator("main").inner_text()
    assert_accessible(page)
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_a_question_page_reflows_at_320_pixels(signed_in):
    page = signed_in
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/requests/new/children/add/")
    page.get_by_role("button", name="Continue").click()

    heading(page, "Tell us about the child")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    shot(page, "child-320")
    assert_accessible(page)


def test_answering_our_question(signed_in, parent, console_errors):
    caseworker = StaffFactory()
    revision = ConfidentialityCodePage.objects.get().live_revision
    request = request_submit(
        requester=parent,
        about_requester=True,
        scope=Scope.EVERYTHING,
        delivery=Delivery.DOWNLOAD,
        code_revision=revision,
    )
    case_request_clarification(
        case=request.cases.get(), actor=caseworker, reason="Which years do you mean?"
    )
    page = signed_in
    page.goto(f"/requests/{request.reference}/")

    heading(page, request.reference)
    assert "Which years do you mean?" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Answer our question").click()
    heading(page, "Answer our question")
    page.get_by_role("button", name="Send your answer").click()
    assert "Enter your answer" in errors(page)
    assert_accessible(page)
    page.get_by_label("Your answer").fill("2022 to 2024, please.")
    page.get_by_role("button", name="Send your answer").click()

    heading(page, request.reference)
    assert "You answered our question: 2022 to 2024, please." in page.locator("main").inner_text()
    assert_accessible(page)
    assert request.cases.get().status == CaseStatus.IN_PROGRESS
    assert not [e for e in console_errors if "Content Security Policy" in e]
