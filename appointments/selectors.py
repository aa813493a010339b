"""Reads that several screens share, scoped by who asks.

Parent selectors only look inside the signed-in person's own requests (through
``sar.selectors``), so someone else's booking is a 404, never a 403 that would
confirm it exists. The free-time selectors load the rows that
``appointments.availability`` works on.
"""

from __future__ import annotations

import datetime
from itertools import groupby
from operator import attrgetter

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from appointments import availability
from appointments.models import (
    Booking,
    BookingStatus,
    Location,
    OpeningHours,
    StaffMember,
)
from appointments.schedule import Schedule, from_database
from sar import selectors as sar_selectors
from sar.models import AccessRequest, SubjectCase

# Parents ----------------------------------------------------------------------


def bookings_for_parent(user) -> QuerySet[Booking]:
    """The person's own appointments (on their own requests), soonest first."""
    return (
        Booking.objects.filter(request__in=sar_selectors.requests_for_parent(user))
        .select_related("request", "location")
        .order_by("start", "id")
    )


# What "your appointments" shows of each booking (``appointments/list.html``
# and its includes; "your data" shows the next one's day): these and the
# keys, 16 columns of the booking's, request's and location's 48. Any other
# field of a booking read this way costs a query of its own when used.
LISTED_FIELDS = (
    "start",
    "end",
    "status",
    "interpreter_language",
    "step_free_access",
    "quiet_room",
    "longer_slot",
    "request__reference",
    "location__name",
    "location__kind",
    "location__address",
)


def _to_come(now: datetime.datetime) -> Q:
    """An appointment still to come: booked and not yet over (one in progress
    included). Its negation is "over or cancelled"."""
    return Q(status=BookingStatus.BOOKED, end__gt=now)


def upcoming_bookings_for_parent(user, *, now: datetime.datetime) -> QuerySet[Booking]:
    """The person's own appointments still to come (booked, not yet over),
    soonest first: all of them, as a parent needs every one in front of them.
    Only the ``LISTED_FIELDS`` are read."""
    return bookings_for_parent(user).filter(_to_come(now)).only(*LISTED_FIELDS)


def listed_bookings_for_parent(
    user, *, now: datetime.datetime, past_limit: int
) -> tuple[list[Booking], list[Booking]]:
    """What "your appointments" lists, in one query: the person's own
    appointments still to come, soonest first, all of them (a parent needs
    every one in front of them); and their ``past_limit`` most recent ones
    that are over or cancelled, latest first (a parent who books and cancels
    often would otherwise get a page that never stops growing). Only the
    ``LISTED_FIELDS`` are read."""
    mine = bookings_for_parent(user)
    recent_past = mine.filter(~_to_come(now)).order_by("-start", "-id").values("pk")[:past_limit]
    listed = list(
        mine.filter(_to_come(now) | Q(pk__in=recent_past))
        .only(*LISTED_FIELDS)
        .annotate(to_come=ExpressionWrapper(_to_come(now), output_field=BooleanField()))
    )
    return [b for b in listed if b.to_come], [b for b in reversed(listed) if not b.to_come]


def booking_for_parent(user, pk) -> Booking:
    """One of the person's own appointments; ``Http404`` for anyone else's."""
    try:
        return bookings_for_parent(user).get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404("No such appointment.") from None


def bookable_request_for_parent(user, reference) -> AccessRequest | None:
    """One of the person's own requests, by reference, if they may book an
    appointment for it now (``appointments.booking.can_book``); else None."""
    from appointments.booking import can_book

    if not reference:
        return None
    try:
        access_request = sar_selectors.request_for_parent(user, reference)
    except Http404:
        return None
    return access_request if can_book(access_request=access_request) else None


def requests_to_book_for_parent(user) -> list[AccessRequest]:
    """The person's own requests they may book an appointment for now and
    that have none booked yet (a second would be a change of the first),
    newest first. Two queries however many requests there are."""
    return _to_book(sar_selectors.requests_for_parent(user))


def parent_has_request_to_book(user) -> bool:
    """Whether ``requests_to_book_for_parent`` has any, in one query that
    reads only what deciding needs: the cases of the person's requests with
    no appointment booked, each case's status and its request's delivery."""
    from appointments.booking import can_book

    cases = (
        SubjectCase.objects.filter(request__in=sar_selectors.requests_for_parent(user))
        .filter(~_has_booking(OuterRef("request_id")))
        .select_related("request")
        .only("status", "request__delivery")
        .order_by("request_id")
    )
    for _, group in groupby(cases, key=attrgetter("request_id")):
        request_cases = list(group)
        if can_book(access_request=request_cases[0].request, cases=request_cases):
            return True
    return False


def _has_booking(access_request) -> Exists:
    """Whether the request (``OuterRef`` to its id) has an appointment booked:
    a second would be a change of the first, so it has nothing to book."""
    return Exists(Booking.objects.filter(request=access_request, status=BookingStatus.BOOKED))


def _to_book(requests: QuerySet[AccessRequest]) -> list[AccessRequest]:
    from appointments.booking import can_book

    requests = requests.annotate(has_booking=_has_booking(OuterRef("pk")))
    return [r for r in requests if not r.has_booking and can_book(access_request=r)]


def active_locations() -> QuerySet[Location]:
    """Locations taking bookings that have someone's hours."""
    return (
        Location.objects.filter(is_active=True, hours__staff__is_active=True)
        .distinct()
        .order_by("kind", "name")
    )


# Free time --------------------------------------------------------------------


def weekly_hours() -> list[availability.WeeklyHours]:
    """The weekly hours of the staff taking bookings, at every location."""
    return [
        availability.WeeklyHours(h.staff_id, h.location_id, h.weekday, h.opens, h.closes)
        for h in OpeningHours.objects.filter(staff__is_active=True)
    ]


def closed_days(closures) -> list[availability.ClosedDays]:
    """``Closure`` rows as the free-time calculation takes them (no reason)."""
    return [
        availability.ClosedDays(c.starts_on, c.ends_on, c.staff_id, c.location_id) for c in closures
    ]


def _busy(
    *, staff_ids, first: datetime.date, last: datetime.date, exclude_booking_id=None
) -> list[availability.Busy]:
    # A day either side: a booking late one day can be within the buffer of
    # the next in UTC terms around midnight.
    start = availability.local_instant(first - datetime.timedelta(days=1), datetime.time())
    end = availability.local_instant(last + datetime.timedelta(days=2), datetime.time())
    bookings = Booking.objects.filter(
        staff_id__in=staff_ids, status=BookingStatus.BOOKED, start__lt=end, end__gt=start
    )
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    return [availability.Busy(b.staff_id, b.start, b.end) for b in bookings]


def free_slots(
    *,
    location: Location,
    longer: bool = False,
    now: datetime.datetime | None = None,
    day: datetime.date | None = None,
    staff_ids=None,
    exclude_booking_id: int | None = None,
    ignore_bookings: bool = False,
    schedule: Schedule | None = None,
) -> list[availability.Slot]:
    """The free slots at ``location`` (on ``day`` only, if given): the hours,
    closures and rules of ``schedule``, less the database's bookings. The
    pages pass the cached one (``appointments.schedule.current()``); without
    it (the booking functions, inside their lock) it is read from the
    database now. ``exclude_booking_id`` leaves out a booking being moved, so
    its own time does not block its new one; ``ignore_bookings`` gives every
    time offered, booked or not."""
    now = now or timezone.now()
    if schedule is None:
        schedule = from_database(today=availability.london_today(now))
    rules = schedule.rules
    first, last = availability.bookable_dates(now=now, rules=rules)
    if day is not None:
        first, last = max(first, day), min(last, day)
    if first > last:
        return []
    hours = schedule.hours_at(location.pk, staff_ids)
    if not hours:
        return []
    busy = []
    if not ignore_bookings:
        busy = _busy(
            staff_ids={h.staff_id for h in hours},
            first=first,
            last=last,
            exclude_booking_id=exclude_booking_id,
        )
    return availability.free_slots(
        now=now,
        rules=rules,
        hours=hours,
        closures=schedule.closures_between(first, last),
        busy=busy,
        longer=longer,
        first_day=first,
        last_day=last,
    )


# Staff ------------------------------------------------------------------------


def bookings_between(
    first: datetime.date, last: datetime.date, *, include_cancelled: bool = True
) -> QuerySet[Booking]:
    """Every appointment starting on London dates ``first``..``last``, by start
    time then member of staff, for the day and week views."""
    start = availability.local_instant(first, datetime.time())
    end = availability.local_instant(last + datetime.timedelta(days=1), datetime.time())
    bookings = Booking.objects.filter(start__gte=start, start__lt=end).select_related(
        "request", "location", "staff__user"
    )
    if not include_cancelled:
        bookings = bookings.exclude(status=BookingStatus.CANCELLED)
    return bookings.order_by("start", "staff__user__full_name", "id")


def active_staff() -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(is_active=True).select_related("user")
