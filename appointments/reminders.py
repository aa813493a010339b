"""Reminders before an appointment: one at 9am two working days before its
day, and one a day before (the same time the day before, in London time).

A django-q2 schedule (``SCHEDULE_NAME``, created by migration 0003 and by
``ensure_schedule``) runs ``appointments.tasks.send_due_reminders`` every
``EVERY_MINUTES`` minutes; it sends every reminder whose moment has passed,
once (the notice key holds the booking, the kind and its SEQUENCE, so a
moved appointment is reminded of again and a retried run sends nothing
twice). A reminder whose moment came before the time was set (booked at short
notice) is not sent: the parent has just had the confirmation. When both are
due, only the later one is sent.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from appointments.availability import LONDON, UTC, subtract_working_days
from appointments.models import Booking, BookingStatus
from appointments.notices import notice_key, send_reminder
from portal import schedules
from portal.notifications.models import SentNotification

logger = logging.getLogger(__name__)

TWO_WORKING_DAYS = "two_working_days"
ONE_DAY = "one_day"
KINDS = (TWO_WORKING_DAYS, ONE_DAY)
MORNING = datetime.time(9, 0)

SCHEDULE_NAME = "appointments: send due reminders"
SCHEDULE_FUNC = "appointments.tasks.send_due_reminders"
EVERY_MINUTES = 15
# No reminder is due earlier than this before an appointment (two working
# days back over a long weekend and Christmas stays well inside it).
LOOKAHEAD = datetime.timedelta(days=10)


def reminder_moments(start: datetime.datetime) -> dict[str, datetime.datetime]:
    """When each reminder for an appointment starting at ``start`` is due (UTC)."""
    local_start = start.astimezone(LONDON)
    working_day = subtract_working_days(local_start.date(), 2)
    two_days = datetime.datetime.combine(working_day, MORNING, tzinfo=LONDON)
    # Wall-clock arithmetic: the same London time the day before, across a
    # clock change too.
    day_before = (local_start.replace(tzinfo=None) - datetime.timedelta(days=1)).replace(
        tzinfo=LONDON
    )
    return {TWO_WORKING_DAYS: two_days.astimezone(UTC), ONE_DAY: day_before.astimezone(UTC)}


def due_reminder(booking: Booking, *, now: datetime.datetime) -> str | None:
    """The kind of reminder ``booking`` is due now, or None."""
    if booking.status != BookingStatus.BOOKED or booking.start <= now:
        return None
    due = [
        (moment, kind)
        for kind, moment in reminder_moments(booking.start).items()
        if booking.scheduled_at < moment <= now
    ]
    return max(due)[1] if due else None


def send_due_reminders(*, now: datetime.datetime | None = None) -> int:
    """Send every reminder due at ``now``; returns how many were sent. One
    failing email does not stop the others: its key is released and the next
    run tries again."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(
        status=BookingStatus.BOOKED, start__gt=now, start__lte=now + LOOKAHEAD
    ).select_related("request")
    sent = 0
    for booking in bookings:
        kind = due_reminder(booking, now=now)
        if kind is None:
            continue
        if SentNotification.objects.filter(
            key=notice_key(booking, "appointment_reminder", kind)
        ).exists():
            continue
        try:
            send_reminder(booking=booking, kind=kind)
        except Exception:
            logger.exception("Reminder for appointment %s failed; retried next run.", booking.pk)
            continue
        sent += 1
    return sent


def ensure_schedule():
    """The reminders schedule, created if missing (``portal.schedules``)."""
    from django_q.models import Schedule

    return schedules.ensure_schedule(
        name=SCHEDULE_NAME,
        func=SCHEDULE_FUNC,
        schedule_type=Schedule.MINUTES,
        minutes=EVERY_MINUTES,
    )
