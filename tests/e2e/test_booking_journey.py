"""A parent books an appointment to view their records in headless Chromium:
sign in with an authenticator code, find "Your appointments", choose how,
what they need, a day and a time, check and book; then change the time and
cancel. axe-core finds nothing wrong on any page on the way, and nothing is
blocked by the Content-Security-Policy."""

import datetime
import re

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import (
    Booking,
    BookingSettings,
    BookingStatus,
    Location,
    LocationKind,
    OpeningHours,
    StaffMember,
)
from portal.accounts.factors import totp_key_text
from sar.models import Delivery, Scope
from sar.workflow import request_submit
from tests.e2e.axe import assert_accessible
from tests.portal.accounts.factories import ParentFactory, StaffFactory, add_totp
from tests.sar.factories import confidentiality_revision

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a quiet walk by the river 21"


@pytest.fixture
def diary(db):
    """An office and a video line, with a caseworker's hours every day (so
    there are free days whatever day the test runs)."""
    rules = BookingSettings.load()
    rules.notice_working_days = 2
    rules.horizon_weeks = 4
    rules.save()
    office = Location.objects.create(
        name="Civic Centre, Room 2",
        kind=LocationKind.OFFICE,
        address="Civic Centre\nHigh Street\nExampletown EX1 2MP",
        instructions="Ask for SENDIASS at reception.",
    )
    video = Location.objects.create(
        name="Video call", kind=LocationKind.VIDEO, instructions="We will email you a link."
    )
    staff = StaffMember.objects.create(user=StaffFactory(groups=["Caseworker"]))
    for location in (office, video):
        for weekday in range(7):
            OpeningHours.objects.create(
                staff=staff,
                location=location,
                weekday=weekday,
                opens=datetime.time(9),
                closes=datetime.time(17),
            )
    return office


@pytest.fixture
def parent_with_request(db):
    parent = ParentFactory(password=PASSWORD, email="booking.parent@example.org")
    device = add_totp(parent)
    request = request_submit(
        requester=parent,
        about_requester=True,
        scope=Scope.EVERYTHING,
        delivery=Delivery.APPOINTMENT,
        code_revision=confidentiality_revision(),
        acknowledged_at=timezone.now(),
    )
    return parent, device, request


def continue_button(page):
    return page.get_by_role("button", name="Continue")


def test_book_change_and_cancel_an_appointment(
    page, diary, parent_with_request, mailoutbox, console_errors
):
    parent, device, access_request = parent_with_request
    totp = pyotp.TOTP(totp_key_text(device=device).replace(" ", ""))

    # Sign in with the password, then the authenticator code.
    page.goto("/appointments/")
    page.get_by_label("Email address").fill(parent.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    continue_button(page).click()
    page.get_by_role("heading", name="Check it is you", exact=True).wait_for()
    page.get_by_label("Security code").fill(totp.now())
    continue_button(page).click()

    # Back where they were going: their appointments, none yet.
    page.get_by_role("heading", name="Your appointments").wait_for()
    assert "You have no appointments booked." in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Book an appointment").click()

    # How: a mistake first, so the error summary is audited too.
    page.get_by_role("heading", name="How would you like to have the appointment?").wait_for()
    assert_accessible(page)
    continue_button(page).click()
    # Waits for the answer page: reading the title at once can catch the one being left.
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert "Select how you would like to have the appointment" in (
        page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page)
    page.get_by_label("At our office: Civic Centre, Room 2").check()
    continue_button(page).click()

    # What they need.
    page.get_by_role(
        "heading", name="Do you need anything to help you at the appointment?"
    ).wait_for()
    assert_accessible(page)
    page.get_by_label("A quiet room").check()
    page.get_by_label("An interpreter", exact=True).check()
    page.get_by_label("If you need an interpreter, which language?").fill("Polish")
    continue_button(page).click()

    # The day: the first one offered.
    page.get_by_role("heading", name="Which day would you like?").wait_for()
    assert_accessible(page)
    page.locator("input[name=date]").first.check()
    continue_button(page).click()

    # The time: the second one offered.
    page.get_by_role("heading", name="What time would you like").wait_for()
    assert_accessible(page)
    chosen_time = page.locator("input[name=start]").nth(1)
    chosen_label = page.locator(f"label[for={chosen_time.get_attribute('id')}]").inner_text()
    chosen_time.check()
    continue_button(page).click()

    # Check and book.
    page.get_by_role("heading", name="Check your appointment before booking it").wait_for()
    check_text = page.locator("main").inner_text()
    assert chosen_label in check_text
    assert "An interpreter (Polish)" in check_text
    assert access_request.reference in check_text
    assert_accessible(page)
    page.get_by_role("button", name="Book appointment").click()

    page.get_by_role("heading", name="Appointment booked").wait_for()
    assert chosen_label in page.locator(".govuk-panel").inner_text()
    assert_accessible(page)
    made = Booking.objects.get(request=access_request)
    assert made.status == BookingStatus.BOOKED
    assert made.interpreter_language == "Polish"
    assert [m.subject.split(" - ")[0] for m in mailoutbox] == [
        "We have received your request",
        "Your appointment is booked",
    ]

    # Change the time: another day.
    page.get_by_role("link", name="Go to your appointments").click()
    page.get_by_role("heading", name="Your appointments").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Change time").click()
    page.get_by_role("heading", name="Which day would you like?").wait_for()
    page.locator("input[name=date]").nth(1).check()
    continue_button(page).click()
    page.get_by_role("heading", name="What time would you like").wait_for()
    assert_accessible(page)
    page.locator("input[name=start]").first.check()
    page.get_by_role("button", name="Change appointment").click()
    page.get_by_role("heading", name="Appointment changed").wait_for()
    assert_accessible(page)
    made.refresh_from_db()
    assert made.sequence == 1

    # Cancel it.
    page.get_by_role("link", name="Go to your appointments").click()
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("heading", name="Are you sure you want to cancel your appointment?").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, cancel appointment").click()
    page.get_by_role("heading", name="Your appointments").wait_for()
    assert "is cancelled" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    made.refresh_from_db()
    assert made.status == BookingStatus.CANCELLED
    assert mailoutbox[-1].subject.startswith("Your appointment is cancelled")

    assert not [e for e in console_errors if "Content Security Policy" in e]
