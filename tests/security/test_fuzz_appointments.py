"""The parent's appointment forms posted with hostile input (tests/security/
fuzzing.py): which request, how, what help is needed (accepted answers are
booked, to see what is stored), which day and time, changing the time (its
day in the address too) and cancelling."""

import datetime
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from appointments.models import Booking, BookingStatus
from sar.models import Delivery, Scope
from sar.workflow import request_submit
from tests.security.fuzzing import (
    FUZZ,
    any_text,
    choice_or_nasty,
    cleaned,
    nasty_text,
    outcome,
    refuses_nul,
    snapshot,
    undone,
)
from tests.security.world import PARENT, module_world

pytestmark = pytest.mark.django_db

NEEDS = ["interpreter", "step_free_access", "quiet_room", "longer_slot"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as built:
        # Two requests to view at an appointment, neither booked yet (the
        # world's own request has its appointment).
        built.bookable = [
            request_submit(
                requester=built.users[PARENT],
                about_requester=True,
                scope=Scope.EVERYTHING,
                delivery=Delivery.APPOINTMENT,
                code_revision=built.code_page.live_revision,
            )
            for _ in range(2)
        ]
        yield built


def url(name, *args):
    return reverse(f"appointments:{name}", args=args)


def choices(response, field: str) -> list[str]:
    return [value for value, _label in response.context["form"].fields[field].choices]


def start_booking(client, world, *, until: str, after: str = ""):
    """Answer the booking questions after ``after`` and before ``until`` with
    the first choice offered."""
    steps = [
        ("book", lambda: {"request": world.bookable[0].reference}),
        ("book_location", lambda: {"location": str(world.location.pk)}),
        ("book_adjustments", lambda: {"needs": []}),
        ("book_date", lambda: {"date": choices(client.get(url("book_date")), "date")[0]}),
        ("book_time", lambda: {"start": choices(client.get(url("book_time")), "start")[0]}),
    ]
    names = [name for name, _data in steps]
    first = names.index(after) + 1 if after else 0
    for name, data in steps[first:]:
        if name == until:
            return
        response = client.post(url(name), data())
        assert response.status_code == 302, f"{name}: {response.status_code}"


def book(client) -> Booking:
    made = set(Booking.objects.values_list("pk", flat=True))
    response = client.post(url("book_check"))
    assert response.status_code == 302
    return Booking.objects.exclude(pk__in=made).get()


@FUZZ
@given(reference=st.one_of(st.just("<bookable>"), st.just("<booked>"), nasty_text(40)))
def test_which_request(world, reference):
    reference = {
        "<bookable>": world.bookable[1].reference,
        "<booked>": world.access_request.reference,
    }.get(reference, reference)
    with undone():
        before = snapshot()
        outcome(world.client(PARENT).post(url("book"), {"request": reference}), before=before)


@FUZZ
@given(location=st.one_of(st.just("<office>"), nasty_text(20)))
def test_how_to_meet(world, location):
    if location == "<office>":
        location = str(world.location.pk)
    with undone():
        client = world.client(PARENT)
        start_booking(client, world, until="book_location")
        before = snapshot()
        outcome(client.post(url("book_location"), {"location": location}), before=before)


@FUZZ
@given(needs=st.lists(choice_or_nasty(NEEDS), max_size=4), language=any_text())
@example(needs=["interpreter"], language="  British Sign Language (BSL) 🤟 ")
@example(needs=["quiet_room"], language="Polski\x01")
def test_help_at_the_appointment(world, needs, language):
    with undone():
        client = world.client(PARENT)
        start_booking(client, world, until="book_adjustments")
        before = snapshot()
        response = client.post(
            url("book_adjustments"), {"needs": needs, "interpreter_language": language}
        )

        refuses_nul(response, language)
        if outcome(response, before=before):
            start_booking(client, world, after="book_adjustments", until="book_check")
            made = book(client)
            if cleaned(language):
                # Kept with its runs of spaces made one (appointments.booking).
                assert made.interpreter_language == " ".join(language.split())
            assert made.quiet_room == ("quiet_room" in needs)


@FUZZ
@given(day=st.one_of(st.just("<offered>"), st.dates().map(str), nasty_text(20)))
def test_which_day(world, day):
    with undone():
        client = world.client(PARENT)
        start_booking(client, world, until="book_date")
        if day == "<offered>":
            day = choices(client.get(url("book_date")), "date")[0]
        before = snapshot()
        outcome(client.post(url("book_date"), {"date": day}), before=before)


@FUZZ
@given(
    start=st.one_of(
        st.just("<offered>"),
        st.datetimes().map(datetime.datetime.isoformat),
        st.datetimes(timezones=st.timezones()).map(datetime.datetime.isoformat),
        nasty_text(30),
    )
)
def test_which_time(world, start):
    with undone():
        client = world.client(PARENT)
        start_booking(client, world, until="book_time")
        if start == "<offered>":
            start = choices(client.get(url("book_time")), "start")[0]
        before = snapshot()
        response = client.post(url("book_time"), {"start": start})

        if outcome(response, before=before):
            assert book(client).start.isoformat() == start


@FUZZ
@given(
    day=st.one_of(st.just("<offered>"), st.dates().map(str), nasty_text(30)),
    start=st.one_of(
        st.just("<offered>"), st.datetimes(timezones=st.timezones()).map(str), nasty_text(30)
    ),
)
@example(day="<offered>", start="<offered>")
@example(day="9999-12-31", start="9999-12-31T23:59:59+14:00")
@example(day="0001-01-01", start="0001-01-01T00:00:00-12:00")
def test_changing_the_time(world, day, start):
    with undone():
        client = world.client(PARENT)
        if day == "<offered>":
            day = choices(client.get(url("change", world.booking.pk)), "date")[0]
        if start == "<offered>":
            time_page = client.get(url("change_time", world.booking.pk) + "?" + _query(date=day))
            start = (choices(time_page, "start") or [""])[0] if time_page.context else ""
        before = snapshot()
        page = client.post(url("change", world.booking.pk), {"date": day})
        outcome(page, before=before)
        response = client.post(
            url("change_time", world.booking.pk) + "?" + _query(date=day), {"start": start}
        )

        if response.status_code == 302:
            # Only a time offered moves the appointment.
            moved = Booking.objects.get(pk=world.booking.pk)
            assert moved.start == world.booking.start or moved.start.isoformat() == start
        else:
            outcome(response, before=before)


@FUZZ
@given(junk=st.dictionaries(st.text(max_size=20), nasty_text(40), max_size=3))
def test_cancelling(world, junk):
    with undone():
        response = world.client(PARENT).post(url("cancel", world.booking.pk), junk)

        assert response.status_code == 302
        assert Booking.objects.get(pk=world.booking.pk).status == BookingStatus.CANCELLED


def _query(**values) -> str:
    return urlencode(values)
