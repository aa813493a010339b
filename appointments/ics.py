"""Calendar invites (iCalendar, RFC 5545 with the iTIP methods of RFC 5546)
for appointments, built with the ``icalendar`` package.

One booking is one event for its whole life: the UID never changes and the
SEQUENCE is the booking's, which goes up on every change, so a calendar app
updates the event it already has (METHOD:REQUEST) or removes it
(METHOD:CANCEL) instead of adding another. Times are in Europe/London with
the zone's definition (VTIMEZONE) included.

The invite says when and where only: no names, no reference, no adjustments.
There is no ATTENDEE for the same reason (the parent's email address would be
in a file that may be forwarded); the organiser is the service's own address.
"""

from __future__ import annotations

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from appointments.availability import LONDON
from appointments.models import Booking, BookingStatus

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//SENDIASS records portal//Appointments//EN"
SUMMARY = "Appointment to view records"


def _organiser() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organiser = vCalAddress(f"mailto:{address or 'no-reply@localhost'}")
    organiser.params["cn"] = vText(settings.SERVICE_NAME)
    return organiser


def method_for(booking: Booking) -> str:
    return CANCEL if booking.status == BookingStatus.CANCELLED else REQUEST


def booking_calendar(booking: Booking, *, now: datetime.datetime | None = None) -> Calendar:
    """The invite for ``booking`` as it stands: a REQUEST while it is booked
    (or has taken place), a CANCEL once cancelled."""
    now = now or timezone.now()
    method = method_for(booking)
    start = booking.start.astimezone(LONDON)
    end = booking.end.astimezone(LONDON)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # The zone's rules around the appointment only: enough for any calendar
    # app to place it, and a few lines rather than decades of transitions.
    calendar.add_component(
        Timezone.from_tzid(
            "Europe/London",
            first_date=start.date() - datetime.timedelta(days=366),
            last_date=end.date() + datetime.timedelta(days=366),
        )
    )

    event = Event()
    event.add("uid", booking.ics_uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", now.astimezone(datetime.UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", f"{SUMMARY} - {settings.SERVICE_NAME}")
    event.add("location", booking.location.place_text)
    if booking.location.instructions:
        event.add("description", booking.location.instructions)
    event.add("organizer", _organiser())
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar


def booking_ics(booking: Booking, *, now: datetime.datetime | None = None) -> str:
    """The invite as the text of an .ics file."""
    return booking_calendar(booking, now=now).to_ical().decode("utf-8")
