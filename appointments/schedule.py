"""The schedule the parent's booking pages offer times from: the booking
rules, the locations taking bookings, the weekly hours of the staff taking
bookings, and the closures. The same for every parent, and changed only by
staff in the admin.

Every booking page reads it, so it is kept in the cache every web process
shares (the database table, or Redis) as one entry: one cache read instead
of four queries a page. It holds nothing personal: a closure's reason (the
one free text about someone, "seen by staff only") is left out, and the
locations are what every parent is shown. It is dropped whenever one of its
rows is saved or deleted (``forget``, connected in
``appointments.apps``), at once and again when the change is committed, so
the next page shows the change; ``SCHEDULE_SECONDS`` only bounds how long a
change made behind Django's back (SQL by hand) can hide.

Only pages read it. Making, moving or cancelling a booking reads the rows
themselves, inside the transaction that locks the member of staff
(``appointments.booking``), so no time is ever booked against a copy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from appointments import availability

SCHEDULE_CACHE_KEY = "appointments.schedule"
SCHEDULE_SECONDS = 5 * 60


def _key(today: datetime.date) -> str:
    # One entry a day: it holds the closures not over by that day.
    return f"{SCHEDULE_CACHE_KEY}:{today.isoformat()}"


def _today() -> datetime.date:
    return availability.london_today(timezone.now())


@dataclass(frozen=True)
class Schedule:
    """What free times are cut from, less the bookings (``selectors.free_slots``)."""

    # appointments.models.BookingSettings: the rules and the change cut-off.
    settings: object
    # Taking bookings with someone's hours there, in the order parents see them.
    locations: tuple
    # Of the staff taking bookings, at every location (a booking being moved
    # keeps its location, even one no longer taking new bookings).
    hours: tuple[availability.WeeklyHours, ...]
    # Those not over by the day the schedule is for (bookable days are later).
    closures: tuple[availability.ClosedDays, ...]

    @property
    def rules(self) -> availability.Rules:
        return availability.Rules.of(self.settings)

    def location(self, pk):
        """The location taking bookings with this id, or None."""
        return next((loc for loc in self.locations if str(loc.pk) == str(pk)), None)

    def hours_at(self, location_id: int, staff_ids=None) -> list[availability.WeeklyHours]:
        return [
            h
            for h in self.hours
            if h.location_id == location_id and (staff_ids is None or h.staff_id in staff_ids)
        ]

    def closures_between(
        self, first: datetime.date, last: datetime.date
    ) -> list[availability.ClosedDays]:
        return [c for c in self.closures if c.starts_on <= last and c.ends_on >= first]


def current() -> Schedule:
    """Today's schedule, from the cache or else from the database."""
    today = _today()
    found = cache.get(_key(today))
    if found is None:
        found = from_database(today=today)
        cache.set(_key(today), found, SCHEDULE_SECONDS)
    return found


def from_database(*, today: datetime.date) -> Schedule:
    from appointments import selectors
    from appointments.models import BookingSettings, Closure

    return Schedule(
        settings=BookingSettings.load(),
        locations=tuple(selectors.active_locations()),
        hours=tuple(selectors.weekly_hours()),
        closures=tuple(
            selectors.closed_days(
                Closure.objects.filter(ends_on__gte=today).order_by("starts_on", "id")
            )
        ),
    )


def forget(**kwargs) -> None:
    """Drop the cached schedule now and again once the change is committed,
    so a page that read the old rows while the change was being saved does
    not keep them."""
    key = _key(_today())
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def connect() -> None:
    """Drop the cached schedule whenever one of its rows is saved or deleted
    (called once, from ``AppointmentsConfig.ready``)."""
    from django.db.models.signals import post_delete, post_save

    from appointments.models import BookingSettings, Closure, Location, OpeningHours, StaffMember

    for model in (BookingSettings, Closure, Location, OpeningHours, StaffMember):
        uid = f"appointments_schedule_{model.__name__}"
        post_save.connect(forget, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(forget, sender=model, dispatch_uid=f"{uid}_delete")
