"""The parent's appointments page, and the first booking page, cost the same
number of queries with 1 appointment as with 100 (one on each request)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.models import Booking
from sar.models import Delivery
from tests.appointments.conftest import NOW, WEDNESDAY, at
from tests.portal.accounts.factories import add_totp, sign_in_verified
from tests.query_counts import assert_same_queries, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def parent_client(parent):
    parent.email_verified_at = timezone.now()
    parent.save(update_fields=["email_verified_at"])
    client = Client()
    sign_in_verified(client, parent, add_totp(parent))
    return client


def _book(n, *, submit, parent, office, staff):
    """A request to view records, booked at its own hour (past ones too)."""
    access_request = submit(parent, delivery=Delivery.APPOINTMENT)
    # In UTC: London wall-clock arithmetic would land in the clocks-change gap.
    start = at(WEDNESDAY, 9).astimezone(datetime.UTC) + datetime.timedelta(hours=n * 2 - 40)
    return Booking.objects.create(
        request=access_request,
        location=office,
        staff=staff,
        start=start,
        end=start + datetime.timedelta(hours=1),
        booked_by=parent,
    )


@pytest.mark.parametrize("name", ["appointments:list", "appointments:book"])
def test_the_page_costs_the_same_with_100_appointments(
    name, parent_client, parent, submit, office, staff, rules, django_assert_num_queries
):
    url = reverse(name)
    # Two requests without an appointment: always something to book, and the
    # booking page asks which.
    submit(parent, delivery=Delivery.APPOINTMENT)
    submit(parent, delivery=Delivery.APPOINTMENT)
    _book(0, submit=submit, parent=parent, office=office, staff=staff)
    one = queries_for(parent_client, url)

    for n in range(1, 100):
        _book(n, submit=submit, parent=parent, office=office, staff=staff)

    assert_same_queries(parent_client, url, one, django_assert_num_queries)


def test_the_list_costs_the_same_with_100_past_appointments(
    parent_client, parent, submit, office, staff, rules, django_assert_num_queries
):
    """With nothing to come the page does not read the schedule (the change
    cut-off is for appointments to come): still the same cost at any size."""
    url = reverse("appointments:list")
    past = NOW - datetime.timedelta(days=2)

    def book_past(n):
        booking = _book(0, submit=submit, parent=parent, office=office, staff=staff)
        start = past - datetime.timedelta(hours=n * 2)
        Booking.objects.filter(pk=booking.pk).update(
            start=start, end=start + datetime.timedelta(hours=1)
        )

    book_past(0)
    one = queries_for(parent_client, url)
    page = parent_client.get(url).content.decode()
    assert "You have no appointments booked." in page
    assert "hours before it starts" not in page

    for n in range(1, 100):
        book_past(n)
    assert_same_queries(parent_client, url, one, django_assert_num_queries)

    # An appointment to come adds the schedule's one read, and the cut-off.
    _book(0, submit=submit, parent=parent, office=office, staff=staff)
    assert queries_for(parent_client, url) == one + 1
    assert "hours before it starts" in parent_client.get(url).content.decode()
