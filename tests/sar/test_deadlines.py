"""The statutory clock's date arithmetic: table-driven over month ends, bank
holidays and weekends, then properties that hold for every start date."""

import datetime
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sar import deadlines
from sar.deadlines import (
    EXTENSION_MONTHS_INVALID,
    EXTENSION_TOO_LATE,
    EXTENSION_TOO_LONG,
    check_extension,
    days_overdue,
    days_paused,
    due_date,
    extension_allowed,
    is_due_within,
    is_overdue,
    is_working_day,
    next_working_day,
    one_calendar_month_after,
    working_days_between,
)
from sar.exceptions import ExtensionNotAllowed

D = date.fromisoformat


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("2027-09-03", "2027-10-03"),  # the ICO's own example: same date next month
        ("2027-01-31", "2027-02-28"),  # no 31 February: the month's last day
        ("2028-01-31", "2028-02-29"),  # ... which is the 29th in a leap year
        ("2028-01-29", "2028-02-29"),
        ("2027-01-29", "2027-02-28"),
        ("2028-02-29", "2028-03-29"),  # from a leap day: the 29th, not month end
        ("2027-02-28", "2027-03-28"),
        ("2027-03-31", "2027-04-30"),
        ("2027-05-31", "2027-06-30"),
        ("2027-08-30", "2027-09-30"),
        ("2027-08-31", "2027-09-30"),
        ("2027-09-30", "2027-10-30"),
        ("2027-10-31", "2027-11-30"),
        ("2027-11-30", "2027-12-30"),
        ("2027-12-31", "2028-01-31"),  # over the year end
    ],
)
def test_one_calendar_month_after(received, expected):
    assert one_calendar_month_after(D(received)) == D(expected)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2027-09-29", "2027-09-29"),  # a Wednesday is its own next working day
        ("2027-10-02", "2027-10-04"),  # Saturday -> Monday
        ("2027-10-03", "2027-10-04"),  # Sunday -> Monday
        # Christmas 2027 and 2032 fall on a weekend: the substitute days are
        # Monday 27 and Tuesday 28 December, so the next working day is the 29th.
        ("2027-12-24", "2027-12-24"),
        ("2027-12-25", "2027-12-29"),
        ("2027-12-26", "2027-12-29"),
        ("2027-12-27", "2027-12-29"),
        ("2027-12-28", "2027-12-29"),
        ("2032-12-25", "2032-12-29"),
        # Christmas 2028 on a weekday: 25 and 26 December themselves.
        ("2028-12-25", "2028-12-27"),
        ("2028-12-26", "2028-12-27"),
        # Christmas 2026 on a Friday: Boxing Day's substitute is Monday 28th.
        ("2026-12-25", "2026-12-29"),
        # New Year's Day 2028 on a Saturday: substitute Monday 3 January.
        ("2028-01-01", "2028-01-04"),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        ("2027-03-26", "2027-03-30"),
        ("2027-03-28", "2027-03-30"),
        ("2027-03-29", "2027-03-30"),
        ("2027-03-25", "2027-03-25"),
        # Early May (3 May 2027) and late May (31 May 2027) bank holidays.
        ("2027-05-03", "2027-05-04"),
        ("2027-05-30", "2027-06-01"),
        ("2027-05-31", "2027-06-01"),
        # Summer bank holiday in England and Wales (not Scotland's 2 August).
        ("2027-08-30", "2027-08-31"),
        ("2027-08-02", "2027-08-02"),
    ],
)
def test_next_working_day(day, expected):
    assert next_working_day(D(day)) == D(expected)


def test_scottish_and_northern_irish_holidays_are_working_days():
    assert is_working_day(D("2027-01-04"))  # 2 January substitute in Scotland only
    assert is_working_day(D("2027-03-17"))  # St Patrick's Day, Northern Ireland only
    assert is_working_day(D("2027-11-30"))  # St Andrew's Day, Scotland only


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2027-09-03", "2027-10-04"),  # 3 October 2027 is a Sunday
        ("2027-01-31", "2027-03-01"),  # 28 February 2027 is a Sunday
        ("2028-01-31", "2028-02-29"),  # Tuesday 29 February 2028
        ("2028-02-29", "2028-03-29"),
        ("2027-08-31", "2027-09-30"),
        ("2027-10-31", "2027-11-30"),
        ("2027-11-30", "2027-12-30"),
        ("2027-11-25", "2027-12-29"),  # Christmas on a Saturday: 4 days on
        ("2032-11-25", "2032-12-29"),
        ("2027-02-26", "2027-03-30"),  # Good Friday
        ("2027-02-28", "2027-03-30"),  # Easter Sunday, then Easter Monday
        ("2027-04-03", "2027-05-04"),  # early May bank holiday
        ("2027-04-30", "2027-06-01"),  # Sunday 30 May, then late May bank holiday
        ("2027-07-30", "2027-08-31"),  # summer bank holiday
        ("2027-06-30", "2027-07-30"),  # an ordinary Friday
    ],
)
def test_due_date(received, due):
    assert due_date(clock_start=D(received)) == D(due)


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        ("2027-01-31", 1, "2027-03-31"),  # two months from the start
        ("2027-01-31", 2, "2027-04-30"),  # three months, April's last day
        ("2027-11-30", 1, "2028-01-31"),
        ("2027-10-25", 2, "2028-01-25"),
        ("2027-09-25", 1, "2027-11-25"),
        ("2027-10-25", 1, "2027-12-29"),  # Christmas 2027 again
    ],
)
def test_due_date_with_extension(start, months, due):
    assert due_date(clock_start=D(start), extension_months=months) == D(due)


def test_due_date_adds_paused_days_then_moves_to_a_working_day():
    # Due Wednesday 10 February; ten days paused -> Saturday 20th -> Monday 22nd.
    assert due_date(clock_start=D("2027-01-10")) == D("2027-02-10")
    assert due_date(clock_start=D("2027-01-10"), paused_days=10) == D("2027-02-22")


@pytest.mark.parametrize(("paused", "months"), [(-1, 0), (0, 3), (0, -1)])
def test_due_date_refuses_impossible_clocks(paused, months):
    with pytest.raises(ValueError):
        due_date(clock_start=D("2027-01-10"), paused_days=paused, extension_months=months)


def test_days_paused_counts_calendar_days():
    assert days_paused(paused_since=D("2027-01-20"), resumed_on=D("2027-01-30")) == 10
    assert days_paused(paused_since=D("2027-01-20"), resumed_on=D("2027-01-20")) == 0
    with pytest.raises(ValueError):
        days_paused(paused_since=D("2027-01-20"), resumed_on=D("2027-01-19"))


def test_pause_and_resume_keep_the_time_that_was_left():
    start, paused_on, resumed_on = D("2027-01-10"), D("2027-01-20"), D("2027-01-30")
    before = deadlines.calendar_months_after(start, 1)
    paused = days_paused(paused_since=paused_on, resumed_on=resumed_on)
    after = deadlines.calendar_months_after(start, 1) + datetime.timedelta(days=paused)
    assert (after - resumed_on) == (before - paused_on) == datetime.timedelta(days=21)
    assert due_date(clock_start=start, paused_days=paused) == next_working_day(after)


@pytest.mark.parametrize(
    ("today", "months", "already"),
    [
        ("2027-01-15", 1, 0),
        ("2027-01-15", 2, 0),
        ("2027-01-15", 1, 1),
        ("2027-02-10", 2, 0),  # on the original due date: still within the first month
    ],
)
def test_extension_allowed(today, months, already):
    kwargs = {
        "today": D(today),
        "original_due": D("2027-02-10"),
        "months": months,
        "already_extended": already,
    }
    check_extension(**kwargs)
    assert extension_allowed(**kwargs)


@pytest.mark.parametrize(
    ("today", "months", "already", "message"),
    [
        ("2027-01-15", 0, 0, EXTENSION_MONTHS_INVALID),
        ("2027-01-15", 3, 0, EXTENSION_MONTHS_INVALID),
        ("2027-01-15", 2, 1, EXTENSION_TOO_LONG),
        ("2027-01-15", 1, 2, EXTENSION_TOO_LONG),
        ("2027-02-11", 1, 0, EXTENSION_TOO_LATE),
    ],
)
def test_extension_refused(today, months, already, message):
    kwargs = {
        "today": D(today),
        "original_due": D("2027-02-10"),
        "months": months,
        "already_extended": already,
    }
    with pytest.raises(ExtensionNotAllowed) as caught:
        check_extension(**kwargs)
    assert caught.value.message == message
    assert not extension_allowed(**kwargs)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        ("2027-10-01", "2027-10-04", 1),  # Friday to Monday
        ("2027-12-24", "2027-12-31", 3),  # over Christmas 2027: 29, 30, 31
        ("2027-10-04", "2027-10-04", 0),
        ("2027-10-04", "2027-10-01", 0),
        ("2027-10-04", "2027-10-08", 4),
    ],
)
def test_working_days_between(start, end, count):
    assert working_days_between(D(start), D(end)) == count


def test_overdue_and_due_soon():
    due = D("2027-02-10")
    assert not is_overdue(due_on=due, today=due)
    assert is_overdue(due_on=due, today=D("2027-02-11"))
    assert days_overdue(due_on=due, today=D("2027-02-13")) == 3
    assert days_overdue(due_on=due, today=D("2027-02-01")) == 0
    assert deadlines.days_remaining(due_on=due, today=D("2027-02-03")) == 7
    assert is_due_within(due_on=due, today=D("2027-02-03"), days=7)
    assert not is_due_within(due_on=due, today=D("2027-02-02"), days=7)
    assert not is_due_within(due_on=due, today=D("2027-02-11"), days=7)


def test_london_date_follows_british_summer_time():
    utc = datetime.UTC
    # 23:30 UTC on 31 May is 00:30 on 1 June in London.
    assert deadlines.london_date(datetime.datetime(2027, 5, 31, 23, 30, tzinfo=utc)) == D(
        "2027-06-01"
    )
    # In winter London is on UTC.
    assert deadlines.london_date(datetime.datetime(2027, 1, 31, 23, 30, tzinfo=utc)) == D(
        "2027-01-31"
    )
    with pytest.raises(ValueError):
        deadlines.london_date(datetime.datetime(2027, 1, 31, 23, 30))


# Properties, for any start date ----------------------------------------------

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
# The longest run of non-working days in England and Wales: a weekend plus
# two bank holidays (Christmas on a Saturday; Good Friday to Easter Monday),
# so a due date is at most 4 days after the calendar date.
MAX_SHIFT = datetime.timedelta(days=4)


@settings(deadline=None, max_examples=400)
@given(start=starts)
def test_due_date_is_a_working_day_on_or_after_one_calendar_month(start):
    calendar_due = one_calendar_month_after(start)
    due = due_date(clock_start=start)
    assert due >= calendar_due
    assert is_working_day(due)
    assert due - calendar_due <= MAX_SHIFT
    # ... and it is the first working day: nothing earlier would do.
    day = calendar_due
    while day < due:
        assert not is_working_day(day)
        day += datetime.timedelta(days=1)


def test_the_four_day_bound_is_reached():
    # The bound in the property above is tight, not loose.
    assert due_date(clock_start=D("2027-11-25")) - D("2027-12-25") == MAX_SHIFT
    assert due_date(clock_start=D("2027-02-26")) - D("2027-03-26") == MAX_SHIFT


@settings(deadline=None, max_examples=400)
@given(
    start=starts,
    paused=st.integers(min_value=0, max_value=400),
    months=st.integers(min_value=0, max_value=2),
)
def test_due_date_with_pauses_and_extensions(start, paused, months):
    calendar_due = deadlines.calendar_months_after(start, 1 + months) + datetime.timedelta(
        days=paused
    )
    due = due_date(clock_start=start, paused_days=paused, extension_months=months)
    assert calendar_due <= due <= calendar_due + MAX_SHIFT
    assert is_working_day(due)
    assert due >= due_date(clock_start=start)


@settings(deadline=None, max_examples=400)
@given(first=starts, second=starts)
def test_due_date_is_monotonic_in_the_start_date(first, second):
    first, second = sorted((first, second))
    assert due_date(clock_start=first) <= due_date(clock_start=second)


@settings(deadline=None, max_examples=200)
@given(
    start=starts,
    pause_after=st.integers(min_value=0, max_value=27),
    pause_for=st.integers(min_value=0, max_value=200),
)
def test_a_pause_keeps_the_days_that_were_left(start, pause_after, pause_for):
    paused_on = start + datetime.timedelta(days=pause_after)
    resumed_on = paused_on + datetime.timedelta(days=pause_for)
    left_when_paused = deadlines.calendar_months_after(start, 1) - paused_on
    paused = days_paused(paused_since=paused_on, resumed_on=resumed_on)
    calendar_due = deadlines.calendar_months_after(start, 1) + datetime.timedelta(days=paused)
    assert calendar_due - resumed_on == left_when_paused
    assert due_date(clock_start=start, paused_days=paused) == next_working_day(calendar_due)
