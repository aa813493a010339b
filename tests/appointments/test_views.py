"""The parent's appointment pages through the test client: the booking
journey, errors on the page, holds, changing and cancelling, and that a parent
only ever reaches their own appointments (404 for anyone else's)."""

import datetime
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.booking import LANGUAGE_NEEDED, TAKEN, Adjustments, slot_book, slot_cancel
from appointments.models import Booking, BookingStatus
from appointments.urls import NO_ARGUMENT_URL_NAMES
from portal.accounts.urls import PERSONAL_URL_NAMES
from sar.models import CaseStatus, Delivery
from tests.appointments.conftest import NOW, WEDNESDAY, at
from tests.portal.accounts.factories import add_totp, sign_in_verified
from tests.sar.steps import put_case_in

pytestmark = pytest.mark.django_db

NINE = at(WEDNESDAY, 9)


@pytest.fixture(autouse=True)
def _now(time_machine):
    """Every page is seen on Monday 22 March 2027 at 10:00 (London)."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def signed_in():
    def sign_in(user) -> Client:
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        client = Client()
        sign_in_verified(client, user, add_totp(user))
        return client

    return sign_in


@pytest.fixture
def parent_client(signed_in, parent):
    return signed_in(parent)


def page_text(response) -> str:
    return response.content.decode()


def error_summary(response) -> str:
    text = page_text(response)
    start = text.find('class="govuk-error-summary"')
    assert start != -1, "no error summary on the page"
    return text[start : text.find("</ul>", start)]


def test_every_page_without_arguments_needs_a_verified_session():
    assert set(NO_ARGUMENT_URL_NAMES) <= set(PERSONAL_URL_NAMES)


def test_the_whole_booking_journey(
    parent_client, bookable_request, office, staff, mailoutbox, django_capture_on_commit_callbacks
):
    client = parent_client

    # One request they can book for: straight to "how".
    response = client.get(reverse("appointments:book"))
    assert response["Location"] == reverse("appointments:book_location")
    response = client.get(reverse("appointments:book_location"))
    assert "How would you like to have the appointment?" in page_text(response)
    assert "High Street" in page_text(response)

    response = client.post(reverse("appointments:book_location"), {"location": office.pk})
    assert response["Location"] == reverse("appointments:book_adjustments")

    response = client.post(
        reverse("appointments:book_adjustments"),
        {"needs": ["interpreter", "quiet_room"], "interpreter_language": "Polish"},
    )
    assert response["Location"] == reverse("appointments:book_date")

    response = client.get(reverse("appointments:book_date"))
    # The first day with notice is Wednesday; Good Friday is not offered.
    assert "Wednesday 24 March 2027" in page_text(response)
    assert "Tuesday 23 March 2027" not in page_text(response)
    assert "Friday 26 March 2027" not in page_text(response)
    response = client.post(reverse("appointments:book_date"), {"date": "2027-03-24"})
    assert response["Location"] == reverse("appointments:book_time")

    response = client.get(reverse("appointments:book_time"))
    assert "10:15am to 11:15am" in page_text(response)
    response = client.post(reverse("appointments:book_time"), {"start": NINE.isoformat()})
    assert response["Location"] == reverse("appointments:book_check")

    response = client.get(reverse("appointments:book_check"))
    text = page_text(response)
    assert "Wednesday 24 March 2027" in text
    assert "9am to 10am" in text
    assert "An interpreter (Polish)" in text
    assert "A quiet room" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("appointments:book_check"))
    made = Booking.objects.get()
    assert response["Location"] == reverse("appointments:booked", args=[made.pk])
    assert made.interpreter_language == "Polish"
    assert made.quiet_room
    assert made.request == bookable_request

    response = client.get(response["Location"])
    assert "Appointment booked" in page_text(response)
    assert len(mailoutbox) == 1
    # The answers are gone: a new visit starts again.
    response = client.get(reverse("appointments:book_check"))
    assert "Start your booking again" in page_text(response)


def choose_up_to_time(client, office, **adjustments):
    client.get(reverse("appointments:book"))
    client.post(reverse("appointments:book_location"), {"location": office.pk})
    client.post(reverse("appointments:book_adjustments"), adjustments)
    client.post(reverse("appointments:book_date"), {"date": "2027-03-24"})


def test_an_unanswered_question_is_an_error_on_the_page(
    parent_client, bookable_request, office, staff
):
    choose_up_to_time(parent_client, office)

    response = parent_client.post(reverse("appointments:book_time"), {})

    assert response.status_code == 200
    assert "Select a time" in error_summary(response)
    assert "<title>Error: " in page_text(response)


def test_an_interpreter_needs_a_language(parent_client, bookable_request, office, staff):
    parent_client.get(reverse("appointments:book"))
    parent_client.post(reverse("appointments:book_location"), {"location": office.pk})

    response = parent_client.post(
        reverse("appointments:book_adjustments"), {"needs": ["interpreter"]}
    )

    assert LANGUAGE_NEEDED in error_summary(response)


def test_a_longer_appointment_offers_only_times_with_two_slots_free(
    parent_client, bookable_request, office, staff
):
    choose_up_to_time(parent_client, office, needs=["longer_slot"])

    response = parent_client.get(reverse("appointments:book_time"))

    assert "9am to 11:15am" in page_text(response)
    assert "10:15am to 12:30pm" in page_text(response)
    assert "11:30am" not in page_text(response)


def test_a_time_taken_while_checking_sends_the_parent_back_to_choose_another(
    parent_client, bookable_request, office, staff, other_request, other_parent
):
    choose_up_to_time(parent_client, office)
    parent_client.post(reverse("appointments:book_time"), {"start": NINE.isoformat()})
    slot_book(access_request=other_request, location=office, start=NINE, actor=other_parent)

    response = parent_client.post(reverse("appointments:book_check"))

    assert response["Location"] == reverse("appointments:book_time")
    response = parent_client.get(response["Location"])
    assert TAKEN in error_summary(response)
    assert "9am to 10am" not in page_text(response)
    assert Booking.objects.filter(request=bookable_request).count() == 0


def test_a_tampered_time_is_refused_on_the_page(parent_client, bookable_request, office, staff):
    choose_up_to_time(parent_client, office)

    response = parent_client.post(
        reverse("appointments:book_time"), {"start": at(WEDNESDAY, 9, 30).isoformat()}
    )

    assert "Select one of the times shown" in error_summary(response)


def test_a_request_on_hold_cannot_be_booked_and_the_hold_is_not_shown(
    parent_client, bookable_request, office, staff
):
    put_case_in(bookable_request.cases.get(), CaseStatus.ON_HOLD)

    response = parent_client.get(reverse("appointments:book"))

    assert response.status_code == 200
    assert "You cannot book an appointment at the moment" in page_text(response)
    assert "hold" not in page_text(response).lower()


def test_a_hold_placed_during_the_journey_stops_the_booking(
    parent_client, bookable_request, office, staff
):
    choose_up_to_time(parent_client, office)
    parent_client.post(reverse("appointments:book_time"), {"start": NINE.isoformat()})
    put_case_in(bookable_request.cases.get(), CaseStatus.ON_HOLD)

    response = parent_client.post(reverse("appointments:book_check"))

    assert "Start your booking again" in page_text(response)
    assert not Booking.objects.exists()


def test_with_several_requests_the_parent_chooses_which(
    parent_client, submit, parent, office, staff
):
    from sar.models import Delivery

    first = submit(parent, delivery=Delivery.APPOINTMENT)
    second = submit(parent, delivery=Delivery.APPOINTMENT)

    response = parent_client.get(reverse("appointments:book"))
    assert response.status_code == 200
    assert first.reference in page_text(response)
    assert second.reference in page_text(response)
    response = parent_client.post(reverse("appointments:book"), {"request": "SAR-1999-00001"})
    assert "Select the request the appointment is for" in error_summary(response)
    response = parent_client.post(reverse("appointments:book"), {"request": second.reference})
    assert response["Location"] == reverse("appointments:book_location")


def test_a_step_without_the_answers_before_it_offers_to_start_again(parent_client):
    for name in ("book_location", "book_adjustments", "book_date", "book_time", "book_check"):
        response = parent_client.get(reverse(f"appointments:{name}"))
        assert response.status_code == 200
        assert "Start your booking again" in page_text(response)


def test_staff_have_no_appointment_pages(signed_in, caseworker):
    response = signed_in(caseworker).get(reverse("appointments:list"))

    assert response.status_code == 302
    assert urlparse(response["Location"]).path == reverse("accounts:dashboard")


# Your appointments ---------------------------------------------------------------------


@pytest.fixture
def made(bookable_request, parent, office, staff):
    return slot_book(access_request=bookable_request, location=office, start=NINE, actor=parent)


def test_the_list_shows_the_parents_appointments_with_change_and_cancel(parent_client, made):
    response = parent_client.get(reverse("appointments:list"))

    text = page_text(response)
    assert "Wednesday 24 March 2027, 9am to 10am" in text
    assert reverse("appointments:change", args=[made.pk]) in text
    assert reverse("appointments:cancel", args=[made.pk]) in text


def test_the_list_shows_where_what_for_and_what_is_needed(
    parent_client, parent, bookable_request, office, staff
):
    slot_book(
        access_request=bookable_request,
        location=office,
        start=NINE,
        actor=parent,
        adjustments=Adjustments(interpreter_language="Polish", quiet_room=True),
    )

    text = page_text(parent_client.get(reverse("appointments:list")))

    assert "Civic Centre, Room 2" in text
    assert "Exampletown EX1 2MP" in text
    assert bookable_request.reference in text
    assert "An interpreter (Polish)" in text
    assert "A quiet room" in text
    assert "Step-free access" not in text


def test_the_list_offers_to_book_only_a_request_that_can_have_one(
    parent_client, parent, bookable_request, office, staff
):
    book = reverse("appointments:book")
    assert book in page_text(parent_client.get(reverse("appointments:list")))

    # Booked already: a second appointment would be a change of the first.
    made = slot_book(access_request=bookable_request, location=office, start=NINE, actor=parent)
    assert book not in page_text(parent_client.get(reverse("appointments:list")))

    # Cancelled, it can be booked again, unless the request is on hold.
    slot_cancel(booking=made, actor=parent)
    assert book in page_text(parent_client.get(reverse("appointments:list")))
    put_case_in(bookable_request.cases.get(), CaseStatus.ON_HOLD)
    assert book not in page_text(parent_client.get(reverse("appointments:list")))


def test_cancelling_from_the_list(
    parent_client, made, mailoutbox, django_capture_on_commit_callbacks
):
    response = parent_client.get(reverse("appointments:cancel", args=[made.pk]))
    assert "Are you sure you want to cancel your appointment?" in page_text(response)

    with django_capture_on_commit_callbacks(execute=True):
        response = parent_client.post(reverse("appointments:cancel", args=[made.pk]), follow=True)

    made.refresh_from_db()
    assert made.status == BookingStatus.CANCELLED
    assert "is cancelled" in page_text(response)
    assert mailoutbox[-1].subject.startswith("Your appointment is cancelled")


def test_changing_the_time(parent_client, made, mailoutbox, django_capture_on_commit_callbacks):
    response = parent_client.post(
        reverse("appointments:change", args=[made.pk]), {"date": "2027-03-25"}
    )
    time_url = reverse("appointments:change_time", args=[made.pk]) + "?date=2027-03-25"
    assert response["Location"] == time_url

    new_start = at(datetime.date(2027, 3, 25), 11, 30)
    with django_capture_on_commit_callbacks(execute=True):
        response = parent_client.post(time_url, {"start": new_start.isoformat()})

    assert response["Location"] == reverse("appointments:changed", args=[made.pk])
    made.refresh_from_db()
    assert made.start == new_start
    assert made.sequence == 1
    assert "Appointment changed" in page_text(parent_client.get(response["Location"]))
    assert mailoutbox[-1].subject.startswith("Your appointment has changed")


def test_after_the_cut_off_the_parent_is_asked_to_contact_us(signed_in, parent, made, time_machine):
    time_machine.move_to(made.start - datetime.timedelta(hours=2), tick=False)
    parent_client = signed_in(parent)

    list_page = page_text(parent_client.get(reverse("appointments:list")))
    assert reverse("appointments:cancel", args=[made.pk]) not in list_page
    assert "too late to change this appointment online" in list_page
    response = parent_client.post(reverse("appointments:cancel", args=[made.pk]))
    assert "You cannot change this appointment online" in page_text(response)
    made.refresh_from_db()
    assert made.status == BookingStatus.BOOKED


# Someone else's appointment ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["booked", "changed", "change", "change_time", "cancel"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_parent_gets_404_for_another_parents_appointment(
    signed_in, other_parent, made, name, method
):
    client = signed_in(other_parent)
    url = reverse(f"appointments:{name}", args=[made.pk])
    if name == "change_time":
        url += "?date=2027-03-25"

    response = getattr(client, method)(url, {"start": at(WEDNESDAY, 11, 30).isoformat()})

    # The confirmation pages are GET only: a POST is refused before any lookup.
    read_only = method == "post" and name in ("booked", "changed")
    assert response.status_code == (405 if read_only else 404)
    made.refresh_from_db()
    assert made.status == BookingStatus.BOOKED
    assert made.start == NINE


def test_another_parents_appointment_is_not_in_the_list(signed_in, other_parent, made):
    response = signed_in(other_parent).get(reverse("appointments:list"))

    assert "Wednesday 24 March 2027" not in page_text(response)
    assert reverse("appointments:cancel", args=[made.pk]) not in page_text(response)


def test_an_unknown_appointment_is_404(parent_client):
    assert parent_client.get(reverse("appointments:cancel", args=[999999])).status_code == 404


def test_the_interpreter_asked_for_with_the_request_is_suggested(
    signed_in, submit, parent, office, staff
):
    from sar.models import Adjustment, Delivery

    submit(
        parent,
        delivery=Delivery.APPOINTMENT,
        adjustments=[Adjustment.INTERPRETER],
        interpreter_language="Somali",
    )
    client = signed_in(parent)
    client.get(reverse("appointments:book"))
    client.post(reverse("appointments:book_location"), {"location": office.pk})

    text = page_text(client.get(reverse("appointments:book_adjustments")))

    assert 'value="Somali"' in text
    assert 'value="interpreter" checked' in text


def test_the_confirmation_of_a_cancelled_appointment_goes_to_the_list(parent_client, made):
    from appointments.booking import slot_cancel

    slot_cancel(booking=made, actor=made.request.requester)

    response = parent_client.get(reverse("appointments:booked", args=[made.pk]))

    assert response["Location"] == reverse("appointments:list")


def test_the_list_offers_booking_only_for_a_request_without_an_appointment(
    parent_client, made, submit, parent
):
    book = f'href="{reverse("appointments:book")}"'
    # The one request has its appointment: nothing more to book.
    assert book not in page_text(parent_client.get(reverse("appointments:list")))

    # A second request to view records has none yet.
    submit(parent, delivery=Delivery.APPOINTMENT)
    assert book in page_text(parent_client.get(reverse("appointments:list")))


def test_the_list_shows_every_upcoming_appointment_and_only_the_latest_past_ones(
    parent_client, submit, parent, office, staff
):
    def appointment(day, status=BookingStatus.BOOKED, access_request=None):
        start = at(day, 9)
        return Booking.objects.create(
            request=access_request or submit(parent, delivery=Delivery.APPOINTMENT),
            location=office,
            staff=staff,
            start=start,
            end=start + datetime.timedelta(hours=1),
            booked_by=parent,
            status=status,
            cancelled_by=parent if status == BookingStatus.CANCELLED else None,
        )

    upcoming = [appointment(WEDNESDAY + datetime.timedelta(days=n)) for n in range(3)]
    # Eight past and cancelled ones, on Monday 1 to Monday 8 March: one that
    # took place, the rest cancelled (all on one request).
    cancelled_on = submit(parent, delivery=Delivery.APPOINTMENT)
    for n in range(1, 9):
        status = BookingStatus.BOOKED if n == 4 else BookingStatus.CANCELLED
        appointment(
            datetime.date(2027, 3, n),
            status,
            access_request=None if n == 4 else cancelled_on,
        )

    text = page_text(parent_client.get(reverse("appointments:list")))

    for item in upcoming:
        assert reverse("appointments:cancel", args=[item.pk]) in text
    assert "Wednesday 24 March 2027, 9am to 10am" in text
    assert "Friday 26 March 2027, 9am to 10am" in text
    past = text[text.index("Past and cancelled appointments") :]
    shown = ("Monday 8 March 2027", "Friday 5 March 2027", "Thursday 4 March 2027")
    assert [past.index(day) for day in shown] == sorted(past.index(day) for day in shown)
    assert text.index("Friday 26 March 2027") < text.index("Past and cancelled appointments")
    for day in ("Wednesday 3 March 2027", "Tuesday 2 March 2027", "Monday 1 March 2027"):
        assert day not in past
    assert past.count("Cancelled") == 4
    assert past.count("Taken place") == 1
    assert "Only your 5 most recent past and cancelled appointments are shown." in past


def test_with_few_past_appointments_the_list_does_not_mention_older_ones(parent_client, made):
    from appointments.booking import slot_cancel

    slot_cancel(booking=made, actor=made.request.requester)

    text = page_text(parent_client.get(reverse("appointments:list")))

    assert "Past and cancelled appointments" in text
    assert "Wednesday 24 March 2027" in text
    assert "most recent" not in text
