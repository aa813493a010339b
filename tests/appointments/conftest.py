"""Fixtures for the appointments tests: the right-of-access people and
requests (tests/sar/conftest.py), a location with a member of staff's hours,
the booking rules, and a fixed "now"."""

import datetime

import pytest

from appointments.availability import LONDON
from appointments.models import BookingSettings, Location, LocationKind, OpeningHours, StaffMember
from sar import roles
from sar.models import Delivery
from tests.content import conftest as content_fixtures
from tests.sar import conftest as sar_fixtures

# The right-of-access fixtures, shared (pytest finds fixtures by module name).
_fast_passwords = sar_fixtures._fast_passwords
groups = sar_fixtures.groups
make_user = sar_fixtures.make_user
parent = sar_fixtures.parent
other_parent = sar_fixtures.other_parent
caseworker = sar_fixtures.caseworker
safeguarding_lead = sar_fixtures.safeguarding_lead
revision = sar_fixtures.revision
submit = sar_fixtures.submit
# A client signed in to the Wagtail admin with a verified second factor.
admin_client_for = content_fixtures.admin_client_for

# A Monday morning in Greenwich Mean Time. With 2 working days' notice the
# first bookable day is Wednesday 24 March 2027.
NOW = datetime.datetime(2027, 3, 22, 10, 0, tzinfo=LONDON)
WEDNESDAY = datetime.date(2027, 3, 24)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A London wall-clock time as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def rules(db):
    """The booking rules used throughout: 60-minute slots, 15 minutes apart,
    2 working days' notice, 8 weeks ahead, changes until 24 hours before."""
    settings = BookingSettings.load()
    settings.slot_minutes = 60
    settings.buffer_minutes = 15
    settings.notice_working_days = 2
    settings.horizon_weeks = 8
    settings.change_cutoff_hours = 24
    settings.save()
    return settings


@pytest.fixture
def office(db):
    return Location.objects.create(
        name="Civic Centre, Room 2",
        kind=LocationKind.OFFICE,
        address="Civic Centre\nHigh Street\nExampletown EX1 2MP",
        instructions="Ask for SENDIASS at reception.",
    )


@pytest.fixture
def video(db):
    return Location.objects.create(
        name="Video call",
        kind=LocationKind.VIDEO,
        instructions="We will email you a link the day before.",
    )


@pytest.fixture
def make_staff(make_user):
    """A member of staff (a caseworker) with weekday hours at ``location``:
    09:00 to 12:30 gives three slots, 09:00, 10:15 and 11:30."""

    def make(location, *, opens=datetime.time(9), closes=datetime.time(12, 30), days=range(5)):
        staff = StaffMember.objects.create(user=make_user(roles.CASEWORKER))
        for weekday in days:
            OpeningHours.objects.create(
                staff=staff, location=location, weekday=weekday, opens=opens, closes=closes
            )
        return staff

    return make


@pytest.fixture
def staff(make_staff, office, rules):
    return make_staff(office)


@pytest.fixture
def bookable_request(submit, parent):
    """A request of ``parent``'s to view the records at an appointment."""
    return submit(parent, delivery=Delivery.APPOINTMENT)


@pytest.fixture
def other_request(submit, other_parent):
    return submit(other_parent, delivery=Delivery.APPOINTMENT)


@pytest.fixture
def administrator(make_user):
    return make_user(roles.ADMINISTRATOR)


@pytest.fixture
def content_editor(make_user):
    return make_user("Content editor")


@pytest.fixture
def child_factory(db):
    from tests.sar.factories import ChildFactory

    return ChildFactory
