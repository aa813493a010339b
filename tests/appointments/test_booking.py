"""Booking, moving, cancelling and marking through ``appointments.booking``:
the rules, the database's refusal of a double booking, the audit trail and
the emails."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from appointments import booking as domain
from appointments.availability import UTC
from appointments.booking import (
    ALREADY_BOOKED,
    NOT_AVAILABLE,
    NOT_BOOKABLE,
    NOT_BOOKED,
    NOT_PERMITTED,
    NOT_STARTED,
    REASON_NEEDED,
    TAKEN,
    TOO_LATE_TO_CHANGE,
    Adjustments,
    slot_book,
    slot_cancel,
    slot_reschedule,
)
from appointments.models import Booking, BookingStatus
from appointments.selectors import free_slots
from portal.audit.models import AuditEvent
from sar.models import CaseStatus, Delivery
from tests.appointments.conftest import NOW, WEDNESDAY, at
from tests.sar.steps import put_case_in

pytestmark = pytest.mark.django_db

NINE = at(WEDNESDAY, 9)
QUARTER_PAST_TEN = at(WEDNESDAY, 10, 15)
HALF_ELEVEN = at(WEDNESDAY, 11, 30)


@pytest.fixture
def book(bookable_request, parent, office, staff, django_capture_on_commit_callbacks):
    """Book as the parent at ``NOW``, running the on-commit emails."""

    def book_(start=NINE, *, request=None, actor=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return slot_book(
                access_request=request or bookable_request,
                location=kwargs.pop("location", office),
                start=start,
                actor=actor or parent,
                now=kwargs.pop("now", NOW),
                **kwargs,
            )

    return book_


def free_starts(office, *, longer=False, day=WEDNESDAY):
    return [
        f"{s.start.astimezone(datetime.UTC):%H:%M}"
        for s in free_slots(location=office, longer=longer, now=NOW, day=day)
    ]


# Booking ----------------------------------------------------------------------------


def test_booking_a_free_time_holds_it_in_utc_with_the_member_of_staff(
    book, staff, bookable_request
):
    made = book(QUARTER_PAST_TEN)

    assert made.status == BookingStatus.BOOKED
    assert made.staff == staff
    assert made.request == bookable_request
    assert made.start == datetime.datetime(2027, 3, 24, 10, 15, tzinfo=UTC)
    assert made.end - made.start == datetime.timedelta(hours=1)
    assert made.sequence == 0
    assert made.ics_uid
    assert made.scheduled_at == NOW


def test_a_booked_time_is_no_longer_free(book, office):
    book(QUARTER_PAST_TEN)

    assert free_starts(office) == ["09:00", "11:30"]


def test_booking_a_taken_time_says_it_has_just_been_taken(book, other_request, other_parent):
    book(NINE)

    with pytest.raises(domain.SlotTaken) as error:
        book(NINE, request=other_request, actor=other_parent)

    assert error.value.message == TAKEN == "That time has just been taken. Choose another time."
    assert Booking.objects.count() == 1


def test_a_time_never_offered_is_not_available(book):
    with pytest.raises(domain.SlotUnavailable) as error:
        book(at(WEDNESDAY, 9, 30))

    assert error.value.message == NOT_AVAILABLE


def test_a_time_inside_the_notice_period_is_not_available(book):
    with pytest.raises(domain.SlotUnavailable):
        book(at(datetime.date(2027, 3, 23), 9))


def test_when_the_database_refuses_the_row_the_person_is_told_it_was_taken(
    book, other_request, other_parent, monkeypatch
):
    book(NINE)
    # Pretend the checks before the insert missed the booking just made (as
    # two transactions deciding at once could without the lock): the
    # database's constraint refuses the row, and the answer is the same.
    real_free_slots = domain.selectors.free_slots
    monkeypatch.setattr(
        domain.selectors,
        "free_slots",
        lambda **kwargs: real_free_slots(**{**kwargs, "ignore_bookings": True}),
    )

    with pytest.raises(domain.SlotTaken) as error:
        book(NINE, request=other_request, actor=other_parent)

    assert error.value.message == TAKEN
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 1


def test_the_database_refuses_a_second_booking_of_one_person_at_one_time(book, other_request):
    made = book(NINE)

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            request=other_request,
            location=made.location,
            staff=made.staff,
            start=made.start,
            end=made.end,
            booked_by=other_request.requester,
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Overlapping ranges are refused by an exclusion constraint on PostgreSQL only.",
)
def test_postgresql_refuses_an_overlapping_booking_of_one_person(book, other_request):
    made = book(NINE)

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            request=other_request,
            location=made.location,
            staff=made.staff,
            start=made.start + datetime.timedelta(minutes=30),
            end=made.end + datetime.timedelta(minutes=30),
            booked_by=other_request.requester,
        )


def test_a_cancelled_booking_does_not_hold_the_time_in_the_database(book, other_request):
    made = book(NINE)
    Booking.objects.filter(pk=made.pk).update(
        status=BookingStatus.CANCELLED, cancelled_by=made.booked_by
    )

    Booking.objects.create(
        request=other_request,
        location=made.location,
        staff=made.staff,
        start=made.start,
        end=made.end,
        booked_by=other_request.requester,
    )


def test_with_two_people_free_the_same_time_can_be_booked_twice(
    book, make_staff, office, other_request, other_parent, submit, make_user
):
    second = make_staff(office)
    first_booking = book(NINE)
    second_booking = book(NINE, request=other_request, actor=other_parent)

    assert {first_booking.staff_id, second_booking.staff_id} == {
        first_booking.staff_id,
        second.pk,
    }
    third_parent = make_user()
    with pytest.raises(domain.SlotTaken):
        book(NINE, request=submit(third_parent, delivery=Delivery.APPOINTMENT), actor=third_parent)


def test_a_longer_appointment_takes_two_consecutive_slots(book, office):
    made = book(NINE, adjustments=Adjustments(longer_slot=True))

    assert made.longer_slot
    assert made.end == datetime.datetime(2027, 3, 24, 11, 15, tzinfo=UTC)
    assert free_starts(office) == ["11:30"]


def test_a_longer_appointment_needs_the_next_slot_free(book, other_request, other_parent):
    book(QUARTER_PAST_TEN, request=other_request, actor=other_parent)

    with pytest.raises(domain.SlotTaken):
        book(NINE, adjustments=Adjustments(longer_slot=True))


def test_adjustments_are_kept_for_staff(book):
    made = book(
        NINE,
        adjustments=Adjustments(
            interpreter_language="  Polish ", step_free_access=True, quiet_room=True
        ),
    )

    assert made.interpreter_language == "Polish"
    assert made.adjustments_requested == ["Interpreter (Polish)", "Step-free access", "Quiet room"]


# Who may book -------------------------------------------------------------------------


def test_a_safeguarding_hold_stops_booking_without_saying_so(book, bookable_request):
    put_case_in(bookable_request.cases.get(), CaseStatus.ON_HOLD)

    with pytest.raises(domain.NotBookable) as error:
        book(NINE)

    assert error.value.message == NOT_BOOKABLE
    assert "hold" not in error.value.message.lower()
    assert "safeguarding" not in error.value.message.lower()
    assert not Booking.objects.exists()


def test_a_hold_on_one_child_stops_booking_for_the_whole_request(
    submit, parent, office, staff, child_factory
):
    request = submit(
        parent,
        about_requester=True,
        children=[child_factory(parent=parent)],
        delivery=Delivery.APPOINTMENT,
    )
    put_case_in(request.cases.filter(child__isnull=False).get(), CaseStatus.ON_HOLD)

    with pytest.raises(domain.NotBookable):
        slot_book(access_request=request, location=office, start=NINE, actor=parent, now=NOW)


def test_a_hold_stops_moving_an_appointment_too(book, bookable_request, parent):
    made = book(NINE)
    put_case_in(bookable_request.cases.get(), CaseStatus.ON_HOLD)

    with pytest.raises(domain.NotBookable):
        slot_reschedule(booking=made, start=HALF_ELEVEN, actor=parent, now=NOW)


def test_a_download_request_can_book_once_approved(submit, parent, office, staff):
    request = submit(parent, delivery=Delivery.DOWNLOAD)
    assert not domain.can_book(access_request=request)

    put_case_in(request.cases.get(), CaseStatus.APPROVED)

    assert domain.can_book(access_request=request)
    slot_book(access_request=request, location=office, start=NINE, actor=parent, now=NOW)


def test_a_withdrawn_request_cannot_book(bookable_request):
    put_case_in(bookable_request.cases.get(), CaseStatus.WITHDRAWN)

    assert not domain.can_book(access_request=bookable_request)


def test_nobody_books_on_someone_elses_request(book, other_parent):
    with pytest.raises(domain.ChangeRefused) as error:
        book(NINE, actor=other_parent)

    assert error.value.message == NOT_PERMITTED


def test_a_request_holds_one_booked_appointment_at_a_time(book):
    book(NINE)

    with pytest.raises(domain.ChangeRefused) as error:
        book(HALF_ELEVEN)

    assert error.value.message == ALREADY_BOOKED


def test_an_inactive_location_takes_no_bookings(book, office):
    office.is_active = False
    office.save()

    with pytest.raises(domain.SlotUnavailable):
        book(NINE)


# Moving and cancelling -------------------------------------------------------------------


def test_moving_keeps_the_calendar_uid_raises_the_sequence_and_frees_the_old_time(
    book, parent, office, django_capture_on_commit_callbacks
):
    made = book(NINE)

    with django_capture_on_commit_callbacks(execute=True):
        moved = slot_reschedule(booking=made, start=HALF_ELEVEN, actor=parent, now=NOW)

    assert moved.pk == made.pk
    assert moved.ics_uid == made.ics_uid
    assert moved.sequence == 1
    assert moved.start == datetime.datetime(2027, 3, 24, 11, 30, tzinfo=UTC)
    assert free_starts(office) == ["09:00", "10:15"]


def test_moving_to_a_neighbouring_time_is_not_blocked_by_the_old_one(book, parent, office):
    made = book(NINE, adjustments=Adjustments(longer_slot=True))

    moved = slot_reschedule(booking=made, start=QUARTER_PAST_TEN, actor=parent, now=NOW)

    assert moved.end == datetime.datetime(2027, 3, 24, 12, 30, tzinfo=UTC)


def test_moving_to_a_taken_time_is_refused(book, parent, other_request, other_parent):
    made = book(NINE)
    book(HALF_ELEVEN, request=other_request, actor=other_parent)

    with pytest.raises(domain.SlotTaken):
        slot_reschedule(booking=made, start=HALF_ELEVEN, actor=parent, now=NOW)


def test_a_parent_cannot_move_or_cancel_after_the_cut_off(book, parent):
    made = book(NINE)
    late = made.start - datetime.timedelta(hours=23)

    with pytest.raises(domain.ChangeRefused) as error:
        slot_cancel(booking=made, actor=parent, now=late)
    assert error.value.message == TOO_LATE_TO_CHANGE
    with pytest.raises(domain.ChangeRefused):
        slot_reschedule(booking=made, start=HALF_ELEVEN, actor=parent, now=late)
    assert domain.change_allowed(booking=made, now=made.start - datetime.timedelta(hours=25))


def test_cancelling_frees_the_time_at_once(book, parent, office, other_request, other_parent):
    made = book(NINE)

    cancelled = slot_cancel(booking=made, actor=parent, now=NOW)

    assert cancelled.status == BookingStatus.CANCELLED
    assert cancelled.sequence == 1
    assert cancelled.cancelled_by == parent
    assert free_starts(office) == ["09:00", "10:15", "11:30"]
    book(NINE, request=other_request, actor=other_parent)


def test_a_cancelled_appointment_cannot_be_cancelled_again(book, parent, caseworker):
    made = book(NINE)
    slot_cancel(booking=made, actor=parent, now=NOW)

    with pytest.raises(domain.ChangeRefused):
        slot_cancel(booking=made, actor=parent, now=NOW)
    with pytest.raises(domain.ChangeRefused) as error:
        slot_cancel(booking=made, actor=caseworker, reason="Duplicate", now=NOW)
    assert error.value.message == NOT_BOOKED


def test_staff_cancel_with_a_reason_at_any_time(book, caseworker):
    made = book(NINE)

    with pytest.raises(domain.ChangeRefused) as error:
        slot_cancel(booking=made, actor=caseworker, reason="  ", now=made.start)
    assert error.value.message == REASON_NEEDED

    cancelled = slot_cancel(
        booking=made, actor=caseworker, reason="Caseworker unwell", now=made.start
    )
    assert cancelled.cancel_reason == "Caseworker unwell"


def test_a_safeguarding_lead_alone_cannot_cancel(book, safeguarding_lead):
    made = book(NINE)

    with pytest.raises(domain.ChangeRefused):
        slot_cancel(booking=made, actor=safeguarding_lead, reason="No", now=NOW)


# Marking --------------------------------------------------------------------------------


def test_staff_mark_attended_once_it_has_started(book, caseworker):
    made = book(NINE)

    with pytest.raises(domain.ChangeRefused) as error:
        domain.booking_mark_attended(booking=made, actor=caseworker, now=NOW)
    assert error.value.message == NOT_STARTED

    marked = domain.booking_mark_attended(booking=made, actor=caseworker, now=made.start)
    assert marked.status == BookingStatus.ATTENDED
    with pytest.raises(domain.ChangeRefused):
        domain.booking_mark_no_show(booking=made, actor=caseworker, now=made.end)


def test_staff_mark_no_show(book, administrator):
    made = book(NINE)

    marked = domain.booking_mark_no_show(booking=made, actor=administrator, now=made.end)

    assert marked.status == BookingStatus.NO_SHOW


@pytest.mark.parametrize("who", ["parent", "content_editor"])
def test_only_booking_staff_mark(book, who, request):
    made = book(NINE)
    actor = request.getfixturevalue(who)

    with pytest.raises(domain.ChangeRefused) as error:
        domain.booking_mark_attended(booking=made, actor=actor, now=made.end)

    assert error.value.message == NOT_PERMITTED


# Audit and email ---------------------------------------------------------------------------


def test_every_change_is_an_audit_event_without_personal_data(book, parent, caseworker):
    made = book(NINE, adjustments=Adjustments(interpreter_language="Polish"))
    slot_reschedule(booking=made, start=HALF_ELEVEN, actor=parent, now=NOW)
    slot_cancel(booking=made, actor=caseworker, reason="Room flooded", now=NOW)

    events = list(
        AuditEvent.objects.filter(action__startswith="appointments.booking.").order_by("id")
    )
    assert [e.action for e in events] == [
        "appointments.booking.booked",
        "appointments.booking.rescheduled",
        "appointments.booking.cancelled",
    ]
    assert [e.actor for e in events] == [parent, parent, caseworker]
    assert all(e.object_type == "appointments.booking" for e in events)
    assert all(e.object_id == str(made.pk) for e in events)
    assert events[2].reason == "Room flooded"
    assert events[1].data["sequence"] == 1
    assert "Polish" not in str([e.data for e in events])


def test_booking_emails_the_parent_the_time_and_place_with_an_invite(book, mailoutbox, parent):
    book(NINE)

    [message] = mailoutbox
    assert message.to == [parent.email]
    assert message.subject.startswith("Your appointment is booked")
    assert "Wednesday 24 March 2027, 9am to 10am" in message.body
    assert "Civic Centre, Room 2" in message.body
    assert "High Street" in message.body
    assert parent.full_name not in message.body
    [invite] = message.attachments
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"


def test_a_rolled_back_booking_sends_nothing(bookable_request, parent, office, staff, mailoutbox):
    # No on-commit callbacks run inside the test's transaction.
    slot_book(access_request=bookable_request, location=office, start=NINE, actor=parent, now=NOW)

    assert mailoutbox == []
