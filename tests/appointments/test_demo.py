"""The demo data step: locations, a demo caseworker's hours and the reminders
schedule, idempotently."""

import pytest
from django_q.models import Schedule

from appointments.demo import load_demo_appointments
from appointments.models import Location, OpeningHours, StaffMember
from appointments.reminders import SCHEDULE_NAME
from portal.management.commands.load_demo_data import STEPS

pytestmark = pytest.mark.django_db


def test_the_demo_step_is_in_load_demo_data():
    assert "Appointments" in dict(STEPS)


def test_loading_twice_makes_everything_once():
    load_demo_appointments()
    load_demo_appointments()

    assert Location.objects.count() == 3
    assert StaffMember.objects.count() == 1
    assert OpeningHours.objects.count() == 15
    assert Schedule.objects.filter(name=SCHEDULE_NAME).count() == 1
