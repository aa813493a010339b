"""The statutory clock for the right of access, as plain functions over dates.

UK GDPR Art. 12(3) and the ICO's right-of-access guidance: respond within one
calendar month of receipt, i.e. by the same date in the next month, or by the
last day of that month where it has no such date (received 31 January, due 28
or 29 February). Where that day is a weekend or a bank holiday the response is
due on the next working day. Bank holidays are England and Wales's, from the
``holidays`` package. The time limit can be extended by up to two further
months for a complex request, if the person is told, with the reasons, within
the first month.

Everything here takes and returns ``datetime.date`` in Europe/London; no
database, no models. ``sar.clock`` applies these to a request.
"""

import datetime
from functools import cache
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from sar.exceptions import ExtensionNotAllowed

LONDON = ZoneInfo("Europe/London")

MAX_EXTENSION_MONTHS = 2

EXTENSION_MONTHS_INVALID = "An extension must be of one or two months."
EXTENSION_TOO_LONG = (
    "The time to respond can be extended by at most two further months in total "
    "(three months from the start)."
)
EXTENSION_TOO_LATE = (
    "The time to respond can only be extended before the original due date has "
    "passed: the parent must be told within the first month."
)


def today() -> datetime.date:
    """Today's date in Europe/London (the service's statutory calendar)."""
    return timezone.now().astimezone(LONDON).date()


def london_date(moment: datetime.datetime) -> datetime.date:
    """The Europe/London calendar date of an aware datetime (a request received
    at 23:30 UTC on 31 May is received on 1 June in British Summer Time)."""
    if timezone.is_naive(moment):
        raise ValueError("An aware datetime is needed to find its date in London.")
    return moment.astimezone(LONDON).date()


def calendar_months_after(start: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months later, or that month's last day
    where it has no such day (relativedelta clamps to the month's end)."""
    return start + relativedelta(months=months)


def one_calendar_month_after(received: datetime.date) -> datetime.date:
    """The day one calendar month after ``received``: 3 Sep -> 3 Oct,
    31 Jan -> 28 Feb (29 Feb in a leap year), 31 Aug -> 30 Sep."""
    return calendar_months_after(received, 1)


@cache
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # One lookup table per year, built once: holidays objects are slow to build
    # and the dashboard asks about thousands of dates. Imported here: the
    # package is about 9 MB, which processes that never need a deadline (the
    # bundle task's worker) should not carry.
    import holidays

    return frozenset(holidays.UK(subdiv="ENG", years=year).keys())


def is_bank_holiday(day: datetime.date) -> bool:
    """Whether ``day`` is an England and Wales bank holiday (including
    substitute days, e.g. 27 and 28 December 2027)."""
    return day in _bank_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself if it is a working day, else the first working day after."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def due_date(
    *, clock_start: datetime.date, paused_days: int = 0, extension_months: int = 0
) -> datetime.date:
    """The date a response is due.

    One calendar month from the start of the clock (plus any extension, counted
    in calendar months from the start with the same month-end rule), plus the
    calendar days the clock was paused, moved to the next working day.
    """
    if paused_days < 0:
        raise ValueError("Paused days cannot be negative.")
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError("An extension is of 0, 1 or 2 months.")
    calendar_due = calendar_months_after(clock_start, 1 + extension_months)
    return next_working_day(calendar_due + datetime.timedelta(days=paused_days))


def days_paused(*, paused_since: datetime.date, resumed_on: datetime.date) -> int:
    """The calendar days the clock stood still: from the day it was paused to
    the day it restarted (paused on the 10th, answered on the 15th: 5 days).
    Adding these to the due date keeps the time that was left when it stopped."""
    if resumed_on < paused_since:
        raise ValueError("The clock cannot restart before it was paused.")
    return (resumed_on - paused_since).days


def check_extension(
    *,
    today: datetime.date,
    original_due: datetime.date,
    months: int,
    already_extended: int = 0,
) -> None:
    """Raise ``ExtensionNotAllowed`` unless the time to respond may be extended
    by ``months`` today.

    An extension is one or two months, at most two in total, and only while the
    original due date has not passed (on the due date itself the first month
    has not yet ended, so the parent can still be told in time).
    """
    if months not in (1, 2):
        raise ExtensionNotAllowed(EXTENSION_MONTHS_INVALID)
    if already_extended + months > MAX_EXTENSION_MONTHS:
        raise ExtensionNotAllowed(EXTENSION_TOO_LONG)
    if today > original_due:
        raise ExtensionNotAllowed(EXTENSION_TOO_LATE)


def extension_allowed(
    *,
    today: datetime.date,
    original_due: datetime.date,
    months: int,
    already_extended: int = 0,
) -> bool:
    """``check_extension`` as a yes/no, for deciding whether to offer it."""
    try:
        check_extension(
            today=today,
            original_due=original_due,
            months=months,
            already_extended=already_extended,
        )
    except ExtensionNotAllowed:
        return False
    return True


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The working days after ``start`` up to and including ``end`` (0 when
    ``end`` is not after ``start``): "3 working days left" on the dashboard."""
    count = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += datetime.timedelta(days=1)
    return count


def days_remaining(*, due_on: datetime.date, today: datetime.date) -> int:
    """Calendar days until the due date: 0 on the day, negative once overdue."""
    return (due_on - today).days


def is_overdue(*, due_on: datetime.date, today: datetime.date) -> bool:
    """Overdue once the due date has passed (the due date itself is in time)."""
    return today > due_on


def days_overdue(*, due_on: datetime.date, today: datetime.date) -> int:
    """Calendar days past the due date, 0 when not overdue."""
    return max(0, (today - due_on).days)


def is_due_within(*, due_on: datetime.date, today: datetime.date, days: int) -> bool:
    """Due from today up to ``days`` calendar days ahead (not yet overdue)."""
    return today <= due_on <= today + datetime.timedelta(days=days)
