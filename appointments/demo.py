"""Demo appointments set-up for ``manage.py load_demo_data``: the booking
rules, an office, a video and a phone line, one demo caseworker with weekday
hours at each, and the reminders schedule. Idempotent: what exists is left
alone."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from appointments.models import (
    BookingSettings,
    Location,
    LocationKind,
    OpeningHours,
    StaffMember,
)
from appointments.reminders import ensure_schedule
from sar import roles

DEMO_STAFF_EMAIL = "diary.demo@sendiass.example.org"
LOCATIONS = [
    {
        "name": "SENDIASS office, Room 2",
        "kind": LocationKind.OFFICE,
        "address": "Civic Centre\nHigh Street\nExampletown\nEX1 2MP",
        "instructions": "Ask for SENDIASS at the main reception. The room has step-free access.",
    },
    {
        "name": "Video call",
        "kind": LocationKind.VIDEO,
        "address": "",
        "instructions": "We will email you a link to join the day before.",
    },
    {
        "name": "Phone call",
        "kind": LocationKind.PHONE,
        "address": "",
        "instructions": "We will phone you on the number you gave us.",
    },
]
# Monday to Friday, 09:30 to 16:30.
HOURS = [(weekday, datetime.time(9, 30), datetime.time(16, 30)) for weekday in range(5)]


def load_demo_appointments() -> str:
    BookingSettings.load()
    locations = []
    for values in LOCATIONS:
        location, _ = Location.objects.get_or_create(name=values["name"], defaults=values)
        locations.append(location)

    user = get_user_model().objects.filter(email__iexact=DEMO_STAFF_EMAIL).first()
    if user is None:
        # No password: a demo diary owner, not an account anyone signs in to.
        user = get_user_model().objects.create_user(
            email=DEMO_STAFF_EMAIL, password=None, full_name="Demo caseworker", is_staff=True
        )
        group, _ = Group.objects.get_or_create(name=roles.CASEWORKER)
        user.groups.add(group)
    staff, created = StaffMember.objects.get_or_create(user=user)
    if created:
        for location in locations:
            for weekday, opens, closes in HOURS:
                OpeningHours.objects.create(
                    staff=staff, location=location, weekday=weekday, opens=opens, closes=closes
                )
    ensure_schedule()
    return f"{len(locations)} locations, hours for {staff}, reminders scheduled"
