"""The booking schedule the pages read from the shared cache
(``appointments.schedule``): a change staff make shows on the parent's next
page, it holds nothing personal, and a booking is always checked against
the database, never against the cached copy."""

import datetime
import pickle

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from appointments import schedule
from appointments.booking import NOT_AVAILABLE, SlotUnavailable, slot_book
from appointments.models import Booking, Closure, OpeningHours
from tests.appointments.conftest import NOW, WEDNESDAY, at
from tests.portal.accounts.factories import add_totp, sign_in_verified

pytestmark = pytest.mark.django_db

WEDNESDAY_TEXT = "Wednesday 24 March 2027"


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def parent_client(client, parent):
    parent.email_verified_at = timezone.now()
    parent.save(update_fields=["email_verified_at"])
    sign_in_verified(client, parent, add_totp(parent))
    return client


@pytest.fixture
def at_day_page(parent_client, bookable_request, office, staff):
    """The parent has answered up to "which day" (the page is cached)."""
    parent_client.get(reverse("appointments:book"))
    parent_client.post(reverse("appointments:book_location"), {"location": office.pk})
    parent_client.post(reverse("appointments:book_adjustments"), {})
    assert WEDNESDAY_TEXT in day_page(parent_client)
    return parent_client


def day_page(client) -> str:
    response = client.get(reverse("appointments:book_date"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_closure_added_by_staff_shows_on_the_next_page(at_day_page):
    Closure.objects.create(starts_on=WEDNESDAY, ends_on=WEDNESDAY, reason="Training")

    assert WEDNESDAY_TEXT not in day_page(at_day_page)


def test_hours_removed_by_staff_show_on_the_next_page(at_day_page, staff):
    OpeningHours.objects.filter(staff=staff, weekday=WEDNESDAY.weekday()).get().delete()

    assert WEDNESDAY_TEXT not in day_page(at_day_page)


def test_a_member_of_staff_no_longer_taking_bookings_shows_on_the_next_page(at_day_page, staff):
    staff.is_active = False
    staff.save()

    # Nobody takes bookings at the office now, so it is no longer offered.
    assert "Start your booking again" in day_page(at_day_page)


def test_new_booking_rules_show_on_the_next_page(at_day_page, rules):
    # Five working days' notice from Monday 22 March: Wednesday is too soon.
    rules.notice_working_days = 5
    rules.save()

    assert WEDNESDAY_TEXT not in day_page(at_day_page)


def test_a_location_no_longer_taking_bookings_ends_the_journey_on_the_next_page(
    at_day_page, office
):
    office.is_active = False
    office.save()

    assert "Start your booking again" in day_page(at_day_page)


def test_the_cached_schedule_holds_no_closure_reason(at_day_page):
    Closure.objects.create(
        starts_on=WEDNESDAY, ends_on=WEDNESDAY, reason="Sam Caseworker's hospital appointment"
    )
    day_page(at_day_page)

    cached = cache.get(f"{schedule.SCHEDULE_CACHE_KEY}:{WEDNESDAY - datetime.timedelta(2)}")
    assert cached is not None and len(cached.closures) == 1
    assert b"hospital" not in pickle.dumps(cached)


def test_a_booking_is_checked_against_the_database_not_the_cached_schedule(
    at_day_page, office, bookable_request, parent
):
    # A closure that reaches the database without Django's signals (SQL by
    # hand, a bulk load): the cached schedule still offers the day ...
    Closure.objects.bulk_create([Closure(starts_on=WEDNESDAY, ends_on=WEDNESDAY)])
    assert WEDNESDAY_TEXT in day_page(at_day_page)

    # ... but making the booking reads the closure and refuses the time.
    with pytest.raises(SlotUnavailable, match=NOT_AVAILABLE):
        slot_book(
            access_request=bookable_request, location=office, start=at(WEDNESDAY, 9), actor=parent
        )
    assert not Booking.objects.exists()
