"""Which appointment times are free, as pure functions over plain data.

Hours are Europe/London wall-clock times; every slot is an instant in UTC.
A day's hours are turned into instants first (``local_instant``) and slots are
then cut in real time, so on the days the clocks change every appointment
still lasts exactly its length: on 28 March 2027 (clocks forward at 01:00)
hours of 00:00 to 04:00 hold three one-hour slots, and on 31 October 2027
(clocks back at 02:00) five. Nothing is offered at a wall-clock time that
does not exist.

A day offers slots when it is not a bank holiday (England and Wales, through
``sar.deadlines``), not closed (``ClosedDays``), at least the minimum notice
in working days after today and within the horizon. A slot is free when the
member of staff has no booking within ``buffer`` of it at any location. A
longer appointment is two consecutive slots of one member of staff at one
location (the gap between them included), both free.

Nothing here touches the database: ``appointments.selectors`` loads the rows
and calls ``free_slots``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sar.deadlines import is_bank_holiday, is_working_day

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


@dataclass(frozen=True)
class Rules:
    """The service's booking rules (``BookingSettings``)."""

    slot_minutes: int = 60
    buffer_minutes: int = 15
    notice_working_days: int = 2
    horizon_weeks: int = 8

    @classmethod
    def of(cls, settings) -> Rules:
        """The rules a ``BookingSettings`` row sets."""
        return cls(
            slot_minutes=settings.slot_minutes,
            buffer_minutes=settings.buffer_minutes,
            notice_working_days=settings.notice_working_days,
            horizon_weeks=settings.horizon_weeks,
        )

    @property
    def slot(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.slot_minutes)

    @property
    def buffer(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.buffer_minutes)


@dataclass(frozen=True)
class WeeklyHours:
    """One member of staff at one location on one weekday (0 = Monday)."""

    staff_id: int
    location_id: int
    weekday: int
    opens: datetime.time
    closes: datetime.time


@dataclass(frozen=True)
class ClosedDays:
    """Days (inclusive) closed for one member of staff and/or one location;
    ``None`` means every one."""

    starts_on: datetime.date
    ends_on: datetime.date
    staff_id: int | None = None
    location_id: int | None = None

    def closes(self, day: datetime.date, *, staff_id: int, location_id: int) -> bool:
        return (
            self.starts_on <= day <= self.ends_on
            and self.staff_id in (None, staff_id)
            and self.location_id in (None, location_id)
        )


@dataclass(frozen=True)
class Busy:
    """A member of staff's existing appointment (any location)."""

    staff_id: int
    start: datetime.datetime
    end: datetime.datetime


@dataclass(frozen=True, order=True)
class Slot:
    """A time a member of staff can see a parent at a location (UTC)."""

    start: datetime.datetime
    end: datetime.datetime
    staff_id: int
    location_id: int

    @property
    def local_date(self) -> datetime.date:
        return self.start.astimezone(LONDON).date()


def local_instant(day: datetime.date, at: datetime.time, *, fold: int = 0) -> datetime.datetime:
    """The UTC instant of a Europe/London wall-clock time on ``day``.

    A time that happens twice (clocks back) is its first occurrence with
    ``fold=0`` and its second with ``fold=1``. A time that does not exist
    (clocks forward) comes out as the same number of minutes after the change
    with ``fold=0`` (01:30 on 28 March 2027 is 02:30 BST).
    """
    naive = datetime.datetime.combine(day, at)
    return naive.replace(tzinfo=LONDON, fold=fold).astimezone(UTC)


def london_today(now: datetime.datetime) -> datetime.date:
    return now.astimezone(LONDON).date()


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The date ``count`` working days after ``day`` (``day`` itself for 0)."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def subtract_working_days(day: datetime.date, count: int) -> datetime.date:
    """The date ``count`` working days before ``day``."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def bookable_dates(*, now: datetime.datetime, rules: Rules) -> tuple[datetime.date, datetime.date]:
    """The first and last dates a parent may book on, asking at ``now``: at
    least ``notice_working_days`` working days after today (2 working days
    from a Friday is the Tuesday), up to ``horizon_weeks`` weeks from today."""
    today = london_today(now)
    first = add_working_days(today, rules.notice_working_days)
    last = today + datetime.timedelta(weeks=rules.horizon_weeks)
    return first, last


def day_grid(
    day: datetime.date, hours: Iterable[WeeklyHours], *, rules: Rules
) -> dict[tuple[int, int], list[Slot]]:
    """Every slot on ``day`` by (staff, location), in order, before closures
    and bookings: from opening, one slot length then one buffer at a time, the
    last ending by closing."""
    length = rules.slot  # once: a property makes a new timedelta each time
    step = length + rules.buffer
    grid: dict[tuple[int, int], list[Slot]] = {}
    for block in hours:
        if block.weekday != day.weekday():
            continue
        start = local_instant(day, block.opens, fold=0)
        # The later occurrence of an ambiguous closing time keeps the whole
        # block; a closing time that does not exist ends at the change.
        closes = local_instant(day, block.closes, fold=1)
        slots = grid.setdefault((block.staff_id, block.location_id), [])
        while start + length <= closes:
            slots.append(Slot(start, start + length, block.staff_id, block.location_id))
            start += step
    for slots in grid.values():
        slots.sort()
    return grid


def _is_free(start, end, staff_id: int, busy: Sequence[Busy], buffer) -> bool:
    return not any(
        b.staff_id == staff_id and b.start < end + buffer and start < b.end + buffer for b in busy
    )


def free_slots(
    *,
    now: datetime.datetime,
    rules: Rules,
    hours: Sequence[WeeklyHours],
    closures: Sequence[ClosedDays] = (),
    busy: Sequence[Busy] = (),
    longer: bool = False,
    first_day: datetime.date | None = None,
    last_day: datetime.date | None = None,
) -> list[Slot]:
    """Every free slot from the bookable dates (optionally narrowed to
    ``first_day``..``last_day``), ordered by start then member of staff.

    With ``longer`` each slot is two consecutive slots of one member of staff
    at one location: it starts with the first and ends with the second.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    first, last = bookable_dates(now=now, rules=rules)
    if first_day is not None:
        first = max(first, first_day)
    if last_day is not None:
        last = min(last, last_day)
    found: list[Slot] = []
    buffer = rules.buffer
    day = first
    while day <= last:
        if not is_bank_holiday(day):
            for (staff_id, location_id), grid in day_grid(day, hours, rules=rules).items():
                if any(c.closes(day, staff_id=staff_id, location_id=location_id) for c in closures):
                    continue
                span = 2 if longer else 1
                for index in range(len(grid) - span + 1):
                    start, end = grid[index].start, grid[index + span - 1].end
                    if start <= now:
                        continue
                    if _is_free(start, end, staff_id, busy, buffer):
                        found.append(Slot(start, end, staff_id, location_id))
        day += datetime.timedelta(days=1)
    found.sort()
    return found


def dates_with_slots(slots: Iterable[Slot]) -> list[datetime.date]:
    """The London dates that have at least one slot, in order."""
    return sorted({slot.local_date for slot in slots})


def times_on(slots: Iterable[Slot], day: datetime.date) -> list[Slot]:
    """One slot per start time on ``day`` (whoever holds it), in order: what a
    parent chooses from. The member of staff is settled when booking."""
    chosen: dict[datetime.datetime, Slot] = {}
    for slot in sorted(slots):
        if slot.local_date == day:
            chosen.setdefault(slot.start, slot)
    return list(chosen.values())
