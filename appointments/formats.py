"""Appointment times in words, in Europe/London, the GOV.UK way: "10am",
"2:30pm", "Monday 29 March 2027" (GOV.UK style guide: times and dates)."""

from __future__ import annotations

import datetime

from appointments.availability import LONDON


def local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(LONDON)


def time_text(moment: datetime.datetime) -> str:
    """ "10am", "2:30pm", "midday", "midnight"."""
    at = local(moment)
    if at.hour == 12 and at.minute == 0:
        return "midday"
    if at.hour == 0 and at.minute == 0:
        return "midnight"
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    if at.minute:
        return f"{hour}:{at.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def date_text(value: datetime.date | datetime.datetime) -> str:
    """ "Monday 29 March 2027"."""
    if isinstance(value, datetime.datetime):
        value = local(value).date()
    return f"{value:%A} {value.day} {value:%B %Y}"


def time_range_text(start: datetime.datetime, end: datetime.datetime) -> str:
    """ "10am to 11am"."""
    return f"{time_text(start)} to {time_text(end)}"


def when_text(start: datetime.datetime, end: datetime.datetime) -> str:
    """ "Monday 29 March 2027, 10am to 11am"."""
    return f"{date_text(start)}, {time_range_text(start, end)}"
