"""Calendar invites parsed back with icalendar: METHOD, a stable UID, SEQUENCE
going up on every change, DTSTART with its TZID, the place, and nothing
about the person."""

import datetime

import pytest
from icalendar import Calendar

from appointments.availability import LONDON, UTC
from appointments.booking import slot_book, slot_cancel, slot_reschedule
from appointments.ics import booking_ics
from tests.appointments.conftest import NOW, WEDNESDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(bookable_request, parent, office, staff):
    return slot_book(
        access_request=bookable_request,
        location=office,
        start=at(WEDNESDAY, 10, 15),
        actor=parent,
        now=NOW,
    )


def parse(text: str):
    calendar = Calendar.from_ical(text)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_booking_is_an_event_request_with_a_london_start(made):
    calendar, event = parse(booking_ics(made))

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == made.ics_uid
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART") == datetime.datetime(2027, 3, 24, 10, 15, tzinfo=LONDON)
    assert event.decoded("DTSTART").astimezone(UTC) == made.start
    assert event.decoded("DTEND").astimezone(UTC) == made.end
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Civic Centre, Room 2" in str(event["LOCATION"])
    assert "High Street" in str(event["LOCATION"])
    # The zone's definition travels with the invite.
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"


def test_a_summer_appointment_is_in_british_summer_time(bookable_request, parent, office, staff):
    made = slot_book(
        access_request=bookable_request,
        location=office,
        start=at(datetime.date(2027, 4, 7), 9),
        actor=parent,
        now=NOW,
    )

    _, event = parse(booking_ics(made))

    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=1)
    assert event.decoded("DTSTART").astimezone(UTC) == datetime.datetime(
        2027, 4, 7, 8, 0, tzinfo=UTC
    )


def test_a_change_is_the_same_event_with_a_higher_sequence(made, parent):
    first_uid = made.ics_uid

    moved = slot_reschedule(booking=made, start=at(WEDNESDAY, 11, 30), actor=parent, now=NOW)
    calendar, event = parse(booking_ics(moved))

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == first_uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == datetime.datetime(2027, 3, 24, 11, 30, tzinfo=LONDON)


def test_a_cancellation_is_a_cancel_of_the_same_event(made, parent):
    slot_reschedule(booking=made, start=at(WEDNESDAY, 11, 30), actor=parent, now=NOW)
    made.refresh_from_db()

    cancelled = slot_cancel(booking=made, actor=parent, now=NOW)
    calendar, event = parse(booking_ics(cancelled))

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == made.ics_uid
    assert int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"


def test_the_invite_says_nothing_about_the_person(made, parent):
    text = booking_ics(made)

    for personal in (parent.full_name, parent.email, made.request.reference):
        assert personal not in text
    assert "ATTENDEE" not in text


def test_the_emailed_invite_parses_and_matches_the_booking(
    bookable_request, parent, office, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = slot_book(
            access_request=bookable_request,
            location=office,
            start=at(WEDNESDAY, 9),
            actor=parent,
            now=NOW,
        )
    with django_capture_on_commit_callbacks(execute=True):
        slot_cancel(booking=made, actor=parent, now=NOW)

    booked, cancelled = mailoutbox
    for message, method, sequence in ((booked, "REQUEST", 0), (cancelled, "CANCEL", 1)):
        [part] = message.attachments
        assert part.get_param("method") == method
        calendar, event = parse(part.get_payload(decode=True).decode())
        assert str(calendar["METHOD"]) == method
        assert str(event["UID"]) == made.ics_uid
        assert int(event["SEQUENCE"]) == sequence
    assert cancelled.subject.startswith("Your appointment is cancelled")
    assert "Wednesday 24 March 2027, 9am to 10am" in cancelled.body
