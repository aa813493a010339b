"""Slot generation as tables: hours, buffers, closures, bank holidays, notice,
horizon, existing bookings, longer slots, and both days the clocks change in
2027. Pure functions: no database."""

import datetime

import pytest

from appointments.availability import (
    LONDON,
    UTC,
    Busy,
    ClosedDays,
    Rules,
    WeeklyHours,
    bookable_dates,
    dates_with_slots,
    free_slots,
    local_instant,
    times_on,
)

D = datetime.date
T = datetime.time

STAFF, OTHER_STAFF = 1, 2
OFFICE, VIDEO = 10, 20
MON_22_MARCH = datetime.datetime(2027, 3, 22, 10, 0, tzinfo=LONDON)
WED, THU, FRI = D(2027, 3, 24), D(2027, 3, 25), D(2027, 3, 26)
GOOD_FRIDAY, EASTER_MONDAY = D(2027, 3, 26), D(2027, 3, 29)
SPRING_FORWARD, FALL_BACK = D(2027, 3, 28), D(2027, 10, 31)  # both Sundays


NINE, HALF_TWELVE = T(9), T(12, 30)


def weekdays(opens=NINE, closes=HALF_TWELVE, *, staff=STAFF, location=OFFICE, days=range(5)):
    return [WeeklyHours(staff, location, day, opens, closes) for day in days]


def london(day, hour, minute=0):
    return datetime.datetime.combine(day, T(hour, minute), tzinfo=LONDON)


def starts(slots, day=None):
    """Slots as "HH:MM" London start times (on ``day`` only, if given)."""
    return [
        f"{s.start.astimezone(LONDON):%H:%M}" for s in slots if day is None or s.local_date == day
    ]


def spans(slots, day):
    return [
        f"{s.start.astimezone(LONDON):%H:%M}-{s.end.astimezone(LONDON):%H:%M}"
        for s in slots
        if s.local_date == day
    ]


# Hours and buffers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slot_minutes", "buffer_minutes", "opens", "closes", "expected"),
    [
        (60, 15, T(9), T(12, 30), ["09:00", "10:15", "11:30"]),
        (60, 0, T(9), T(12, 30), ["09:00", "10:00", "11:00"]),
        (60, 30, T(9), T(12, 30), ["09:00", "10:30"]),
        (45, 15, T(9), T(12), ["09:00", "10:00", "11:00"]),
        (30, 0, T(13, 30), T(15), ["13:30", "14:00", "14:30"]),
        (60, 15, T(9), T(9, 59), []),
        (60, 15, T(9), T(10), ["09:00"]),
    ],
    ids=[
        "hour-slots-15-min-gaps",
        "no-buffer",
        "half-hour-buffer",
        "45-minute-slots",
        "afternoon-half-hours",
        "hours-shorter-than-a-slot",
        "exactly-one-slot",
    ],
)
def test_slots_are_cut_from_the_hours_with_the_buffer_between(
    slot_minutes, buffer_minutes, opens, closes, expected
):
    rules = Rules(slot_minutes=slot_minutes, buffer_minutes=buffer_minutes)

    slots = free_slots(now=MON_22_MARCH, rules=rules, hours=weekdays(opens, closes))

    assert starts(slots, WED) == expected


def test_slots_are_utc_instants_of_london_wall_clock_times():
    slots = free_slots(now=MON_22_MARCH, rules=Rules(), hours=weekdays())

    first = [s for s in slots if s.local_date == WED][0]
    assert first.start.tzinfo is UTC
    # 24 March is still Greenwich Mean Time; 30 March is British Summer Time.
    assert first.start == datetime.datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
    after_change = [s for s in slots if s.local_date == D(2027, 3, 30)][0]
    assert after_change.start == datetime.datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
    assert after_change.end - after_change.start == datetime.timedelta(hours=1)


def test_only_the_days_with_hours_have_slots():
    hours = weekdays(days=[2])  # Wednesdays only

    slots = free_slots(now=MON_22_MARCH, rules=Rules(horizon_weeks=2), hours=hours)

    assert dates_with_slots(slots) == [WED, D(2027, 3, 31)]


def test_hours_of_two_people_give_one_time_to_choose_from():
    hours = weekdays() + weekdays(staff=OTHER_STAFF)

    slots = free_slots(now=MON_22_MARCH, rules=Rules(), hours=hours)

    assert len([s for s in slots if s.local_date == WED]) == 6
    assert starts(times_on(slots, WED)) == ["09:00", "10:15", "11:30"]


# Closures and bank holidays -----------------------------------------------------------


@pytest.mark.parametrize(
    ("closure", "expected"),
    [
        (ClosedDays(WED, WED), []),
        (ClosedDays(D(2027, 3, 23), THU), []),
        (ClosedDays(WED, WED, staff_id=STAFF), []),
        (ClosedDays(WED, WED, location_id=OFFICE), []),
        (ClosedDays(WED, WED, staff_id=STAFF, location_id=OFFICE), []),
        (ClosedDays(WED, WED, staff_id=OTHER_STAFF), ["09:00", "10:15", "11:30"]),
        (ClosedDays(WED, WED, location_id=VIDEO), ["09:00", "10:15", "11:30"]),
        (ClosedDays(WED, WED, staff_id=STAFF, location_id=VIDEO), ["09:00", "10:15", "11:30"]),
        (ClosedDays(THU, FRI), ["09:00", "10:15", "11:30"]),
    ],
    ids=[
        "everyone-that-day",
        "a-span-covering-it",
        "this-person",
        "this-location",
        "this-person-here",
        "someone-else",
        "another-location",
        "this-person-elsewhere",
        "other-days",
    ],
)
def test_closures(closure, expected):
    slots = free_slots(now=MON_22_MARCH, rules=Rules(), hours=weekdays(), closures=[closure])

    assert starts(slots, WED) == expected


def test_bank_holidays_are_closed_without_a_closure():
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    slots = free_slots(now=MON_22_MARCH, rules=Rules(horizon_weeks=2), hours=weekdays())

    days = dates_with_slots(slots)
    assert GOOD_FRIDAY not in days
    assert EASTER_MONDAY not in days
    assert days[:3] == [WED, THU, D(2027, 3, 30)]


def test_hours_on_a_weekend_are_offered_even_though_it_is_not_a_working_day():
    hours = weekdays(days=[5])  # Saturdays

    slots = free_slots(now=MON_22_MARCH, rules=Rules(horizon_weeks=1), hours=hours)

    assert dates_with_slots(slots) == [D(2027, 3, 27)]


# Notice and horizon ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "notice", "first_day"),
    [
        (MON_22_MARCH, 2, WED),
        (MON_22_MARCH, 1, D(2027, 3, 23)),
        (MON_22_MARCH, 0, D(2027, 3, 22)),
        # Friday: Saturday and Sunday are not working days.
        (london(D(2027, 3, 19), 15), 2, D(2027, 3, 23)),
        # Thursday before Easter: Good Friday and Easter Monday do not count.
        (london(THU, 9), 2, D(2027, 3, 31)),
        # Late on Monday evening is still Monday in London (23:30 BST is
        # Monday 22:30 UTC, and 00:30 BST Tuesday is Monday 23:30 UTC).
        (datetime.datetime(2027, 6, 7, 23, 30, tzinfo=UTC), 2, D(2027, 6, 10)),
    ],
    ids=[
        "two-working-days",
        "one-working-day",
        "same-day",
        "over-a-weekend",
        "over-easter",
        "london-date-not-utc",
    ],
)
def test_minimum_notice_counts_working_days(now, notice, first_day):
    rules = Rules(notice_working_days=notice)

    assert bookable_dates(now=now, rules=rules)[0] == first_day
    slots = free_slots(now=now, rules=rules, hours=weekdays())
    assert dates_with_slots(slots)[0] == first_day


def test_with_no_notice_only_the_times_still_to_come_today_are_offered():
    rules = Rules(notice_working_days=0)

    slots = free_slots(now=MON_22_MARCH, rules=rules, hours=weekdays())

    # 10:00 now: the 09:00 slot has gone, 10:15 is still to come.
    assert starts(slots, D(2027, 3, 22)) == ["10:15", "11:30"]


@pytest.mark.parametrize(
    ("weeks", "last_day"),
    [(1, THU), (2, D(2027, 4, 5))],
    ids=["one-week", "two-weeks"],
)
def test_horizon_limits_how_far_ahead(weeks, last_day):
    rules = Rules(horizon_weeks=weeks)

    slots = free_slots(now=MON_22_MARCH, rules=rules, hours=weekdays())

    horizon = MON_22_MARCH.date() + datetime.timedelta(weeks=weeks)
    assert bookable_dates(now=MON_22_MARCH, rules=rules)[1] == horizon
    # One week: up to Monday 29 March (Easter Monday, after Good Friday), so
    # Thursday 25th is the last day with slots. Two weeks: Monday 5 April.
    assert dates_with_slots(slots)[-1] == last_day


# Bookings and longer slots -----------------------------------------------------------


def booked(day, hour, minute=0, *, staff=STAFF, minutes=60):
    start = london(day, hour, minute).astimezone(UTC)
    return Busy(staff, start, start + datetime.timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("busy", "longer", "expected"),
    [
        ([], False, ["09:00-10:00", "10:15-11:15", "11:30-12:30"]),
        ([booked(WED, 10, 15)], False, ["09:00-10:00", "11:30-12:30"]),
        (
            [booked(WED, 10, 15, staff=OTHER_STAFF)],
            False,
            ["09:00-10:00", "10:15-11:15", "11:30-12:30"],
        ),
        ([booked(THU, 10, 15)], False, ["09:00-10:00", "10:15-11:15", "11:30-12:30"]),
        # A booking off the grid (made before the rules changed) blocks the
        # slots within the buffer of it.
        ([booked(WED, 9, 30, minutes=45)], False, ["11:30-12:30"]),
        ([], True, ["09:00-11:15", "10:15-12:30"]),
        ([booked(WED, 9)], True, ["10:15-12:30"]),
        ([booked(WED, 10, 15)], True, []),
        ([booked(WED, 11, 30)], True, ["09:00-11:15"]),
    ],
    ids=[
        "nothing-booked",
        "one-booked",
        "booked-with-someone-else",
        "booked-another-day",
        "off-grid-booking",
        "longer-two-consecutive-slots",
        "longer-first-taken",
        "longer-middle-taken",
        "longer-last-taken",
    ],
)
def test_bookings_and_longer_slots(busy, longer, expected):
    slots = free_slots(now=MON_22_MARCH, rules=Rules(), hours=weekdays(), busy=busy, longer=longer)

    assert spans(slots, WED) == expected


def test_a_booking_at_another_location_blocks_the_same_person():
    hours = weekdays(location=OFFICE) + weekdays(location=VIDEO, opens=T(9), closes=T(10))

    slots = free_slots(now=MON_22_MARCH, rules=Rules(), hours=hours, busy=[booked(WED, 9)])

    assert [
        (s.location_id, f"{s.start.astimezone(LONDON):%H:%M}") for s in slots if s.local_date == WED
    ] == [
        (OFFICE, "10:15"),
        (OFFICE, "11:30"),
    ]


def test_a_longer_slot_lasts_two_slots_and_the_gap_between():
    [slot, *_] = free_slots(now=MON_22_MARCH, rules=Rules(), hours=weekdays(), longer=True)

    assert slot.end - slot.start == datetime.timedelta(minutes=60 + 15 + 60)


# The days the clocks change -----------------------------------------------------------


SUNDAY = 6
NIGHT = {"opens": T(0), "closes": T(4), "days": [SUNDAY]}


def test_spring_forward_day_has_no_slot_in_the_missing_hour():
    # 28 March 2027: at 01:00 GMT the clocks go forward to 02:00 BST. Hours of
    # 00:00 to 04:00 are three real hours: three one-hour slots.
    slots = free_slots(now=MON_22_MARCH, rules=Rules(buffer_minutes=0), hours=weekdays(**NIGHT))

    day = [s for s in slots if s.local_date == SPRING_FORWARD]
    assert spans(day, SPRING_FORWARD) == ["00:00-02:00", "02:00-03:00", "03:00-04:00"]
    assert [s.start for s in day] == [
        datetime.datetime(2027, 3, 28, 0, 0, tzinfo=UTC),
        datetime.datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
        datetime.datetime(2027, 3, 28, 2, 0, tzinfo=UTC),
    ]
    assert all(s.end - s.start == datetime.timedelta(hours=1) for s in day)


def test_fall_back_day_offers_the_repeated_hour_twice():
    # 31 October 2027: at 02:00 BST the clocks go back to 01:00 GMT. Hours of
    # 00:00 to 04:00 are five real hours: five one-hour slots, two at "01:00".
    now = datetime.datetime(2027, 10, 25, 10, 0, tzinfo=LONDON)

    slots = free_slots(now=now, rules=Rules(buffer_minutes=0), hours=weekdays(**NIGHT))

    day = [s for s in slots if s.local_date == FALL_BACK]
    assert starts(day) == ["00:00", "01:00", "01:00", "02:00", "03:00"]
    assert [s.start.astimezone(LONDON).utcoffset() for s in day[:3]] == [
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=1),
        datetime.timedelta(0),
    ]
    assert [s.start for s in day] == [
        datetime.datetime(2027, 10, 30, 23, 0, tzinfo=UTC),
        datetime.datetime(2027, 10, 31, 0, 0, tzinfo=UTC),
        datetime.datetime(2027, 10, 31, 1, 0, tzinfo=UTC),
        datetime.datetime(2027, 10, 31, 2, 0, tzinfo=UTC),
        datetime.datetime(2027, 10, 31, 3, 0, tzinfo=UTC),
    ]
    assert all(s.end - s.start == datetime.timedelta(hours=1) for s in day)


@pytest.mark.parametrize(
    ("day", "now", "utc_hour"),
    [
        (SPRING_FORWARD, MON_22_MARCH, 8),  # after the change: 09:00 BST
        (FALL_BACK, datetime.datetime(2027, 10, 25, 10, 0, tzinfo=LONDON), 9),  # 09:00 GMT
        (D(2027, 3, 21), datetime.datetime(2027, 3, 15, 10, 0, tzinfo=LONDON), 9),
        (D(2027, 10, 24), datetime.datetime(2027, 10, 18, 10, 0, tzinfo=LONDON), 8),
    ],
    ids=["spring-forward", "fall-back", "sunday-before-spring", "sunday-before-fall"],
)
def test_office_hours_on_and_around_the_change_days(day, now, utc_hour):
    hours = weekdays(opens=T(9), closes=T(10), days=[SUNDAY])

    slots = free_slots(now=now, rules=Rules(), hours=hours)

    [slot] = [s for s in slots if s.local_date == day]
    assert slot.start == datetime.datetime.combine(day, T(utc_hour), tzinfo=UTC)
    assert f"{slot.start.astimezone(LONDON):%H:%M}" == "09:00"


def test_a_wall_clock_time_that_does_not_exist_moves_forward():
    assert local_instant(SPRING_FORWARD, T(1, 30)) == datetime.datetime(
        2027, 3, 28, 1, 30, tzinfo=UTC
    )
    assert f"{local_instant(SPRING_FORWARD, T(1, 30)).astimezone(LONDON):%H:%M}" == "02:30"


def test_an_ambiguous_wall_clock_time_is_its_first_occurrence_unless_asked():
    assert local_instant(FALL_BACK, T(1, 30)) == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert local_instant(FALL_BACK, T(1, 30), fold=1) == datetime.datetime(
        2027, 10, 31, 1, 30, tzinfo=UTC
    )


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        free_slots(now=datetime.datetime(2027, 3, 22, 10), rules=Rules(), hours=weekdays())
