"""One small world of people and objects, built once per test module, for the
access-control matrix and the form fuzzing: a parent with a submitted request
(about them and a child, waiting for their answer to our question), a consent
to disclose, an appointment, a recovery request; another parent with their own
request; and a member of staff in each group. Every person has an
authenticator app; each role has a signed-in session (verified, except the
"unverified" parent's), so a test only sets a session cookie on a fresh client.

``module_world`` opens a transaction around the module and rolls it back at
the end; each test runs inside it (pytest-django's own transaction becomes a
savepoint), so what one test changes, sessions included, is undone before the
next."""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from appointments.availability import LONDON
from appointments.models import (
    Booking,
    BookingSettings,
    Closure,
    Location,
    LocationKind,
    OpeningHours,
    StaffMember,
)
from content.seed import publish_confidentiality_code
from portal.accounts.models import RecoveryRequest
from portal.audit.models import AuditEvent
from sar import roles
from sar.consent import consent_record
from sar.models import CaseStatus, ConsentMethod, Delivery, Scope
from sar.workflow import request_submit
from tests.portal.accounts.factories import (
    add_backup_codes,
    add_passkey,
    add_totp,
    sign_in_password_only,
    sign_in_verified,
)
from tests.sar.factories import ChildFactory, UserFactory
from tests.sar.steps import put_case_in

ANONYMOUS = "anonymous"
PARENT_UNVERIFIED = "parent unverified"
PARENT = "parent"
OTHER_PARENT = "other parent"
CASEWORKER = "caseworker"
APPROVER = "approver"
SAFEGUARDING_LEAD = "safeguarding lead"
CONTENT_EDITOR = "content editor"
ADMINISTRATOR = "administrator"

# Not columns of the matrix: the admin-wide rule checks the first on every
# admin URL; the fuzzing adds the second (``add_superuser``) to reach every
# admin screen.
CASEWORKER_UNVERIFIED = "caseworker unverified"
SUPERUSER = "superuser"

PARENT_ROLES = (PARENT_UNVERIFIED, PARENT, OTHER_PARENT)
STAFF_ROLES = (CASEWORKER, APPROVER, SAFEGUARDING_LEAD, CONTENT_EDITOR, ADMINISTRATOR)
ROLES = (ANONYMOUS, *PARENT_ROLES, *STAFF_ROLES)

# The staff group (portal/accounts/migrations/0003_staff_groups.py) of each role.
GROUP_OF = {
    CASEWORKER: roles.CASEWORKER,
    APPROVER: roles.APPROVER,
    SAFEGUARDING_LEAD: roles.SAFEGUARDING_LEAD,
    CONTENT_EDITOR: "Content editor",
    ADMINISTRATOR: roles.ADMINISTRATOR,
}

# Argon2 for every user would dominate the run time. The cache is the
# database cache the service uses without Redis: private to the test database
# (a shared Redis is never touched), emptied by every rollback, and the
# strictest about keys (PostgreSQL refuses a NUL in one).
FAST_AND_PRIVATE = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    },
}


class World:
    """The people and objects every test of the module may use."""

    def __init__(self):
        self.users: dict = {}
        self.devices: dict = {}
        self.sessions: dict = {}

    def __repr__(self):
        # Hypothesis prints the arguments of a failing example: keep it short.
        return "World()"

    def client(self, role: str) -> Client:
        """A fresh client with ``role``'s session (none for anonymous)."""
        client = Client()
        if role in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def _person(role: str):
    if role in STAFF_ROLES:
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name=GROUP_OF[role]))
    else:
        user = UserFactory(email_verified_at=timezone.now())
    return user


def _session(user, *, verified: bool) -> str:
    client = Client()
    if verified:
        sign_in_verified(client, user, user.totpdevice_set.get())
    else:
        sign_in_password_only(client, user)
    return client.session.session_key


def build_world() -> World:
    world = World()
    for role in (PARENT, OTHER_PARENT, *STAFF_ROLES):
        world.users[role] = _person(role)
        world.devices[role] = add_totp(world.users[role])
    add_backup_codes(world.users[PARENT])
    add_passkey(world.users[PARENT])
    # The parent and a caseworker, signed in with their password but not yet
    # their second factor.
    world.users[PARENT_UNVERIFIED] = world.users[PARENT]
    world.users[CASEWORKER_UNVERIFIED] = world.users[CASEWORKER]
    for role, user in world.users.items():
        verified = role not in (PARENT_UNVERIFIED, CASEWORKER_UNVERIFIED)
        world.sessions[role] = _session(user, verified=verified)

    world.code_page = publish_confidentiality_code()
    revision = world.code_page.live_revision
    parent = world.users[PARENT]
    world.child = ChildFactory(parent=parent)
    world.access_request = request_submit(
        requester=parent,
        about_requester=True,
        children=[world.child],
        scope=Scope.EVERYTHING,
        delivery=Delivery.APPOINTMENT,
        code_revision=revision,
    )
    world.case = world.access_request.cases.order_by("pk").first()
    put_case_in(world.case, CaseStatus.CLARIFICATION)
    world.other_request = request_submit(
        requester=world.users[OTHER_PARENT],
        about_requester=True,
        scope=Scope.EVERYTHING,
        delivery=Delivery.DOWNLOAD,
        code_revision=revision,
    )
    world.consent = consent_record(
        recorded_by=world.users[CASEWORKER],
        parent=parent,
        consent_given_by="The parent",
        what_information="Notes of our meetings",
        recipient="Riverside Primary School",
        purpose="Planning support",
        given_on=timezone.localdate(),
        method=ConsentMethod.WRITTEN,
    )

    BookingSettings.load()
    world.location = Location.objects.create(
        name="Civic Centre, Room 2",
        kind=LocationKind.OFFICE,
        address="Civic Centre\nHigh Street\nExampletown EX1 2MP",
    )
    world.staff_member = StaffMember.objects.create(user=world.users[CASEWORKER])
    for weekday in range(5):
        OpeningHours.objects.create(
            staff=world.staff_member,
            location=world.location,
            weekday=weekday,
            opens=datetime.time(9),
            closes=datetime.time(17),
        )
    in_a_month = timezone.localdate() + datetime.timedelta(days=30)
    world.closure = Closure.objects.create(
        starts_on=in_a_month, ends_on=in_a_month, reason="Staff training"
    )
    start = datetime.datetime.combine(
        in_a_month + datetime.timedelta(days=7), datetime.time(10), tzinfo=LONDON
    )
    world.booking = Booking.objects.create(
        request=world.access_request,
        location=world.location,
        staff=world.staff_member,
        start=start,
        end=start + datetime.timedelta(hours=1),
        booked_by=parent,
    )

    world.recovery = RecoveryRequest.objects.create(
        user=world.users[OTHER_PARENT], explanation="I lost my phone."
    )
    # The parent's service case with one record chosen for the case, a hold
    # on the other parent's request, and one disposal's anonymous record.
    from sar.models import (
        DisposalRule,
        DisposalTombstone,
        HoldExemption,
        Record,
        RecordKind,
        ServiceCase,
        SubjectCaseRecord,
    )
    from sar.safeguarding import hold_place_on_case

    world.service_case = ServiceCase.objects.create(
        service_user=parent, opened_on=datetime.date(2024, 1, 8)
    )
    world.service_case.children.add(world.child)
    world.record = Record.objects.create(
        case=world.service_case,
        kind=RecordKind.CASE_NOTE,
        date=datetime.date(2024, 2, 1),
        title="Case note",
        body="We talked about the annual review.",
    )
    SubjectCaseRecord.objects.create(subject_case=world.case, record=world.record)
    world.hold = hold_place_on_case(
        subject_case=world.other_request.cases.get(),
        actor=world.users[SAFEGUARDING_LEAD],
        reason="A concern.",
        exemption=HoldExemption.EDUCATION_SERIOUS_HARM,
    )
    world.tombstone = DisposalTombstone.objects.create(
        service_case_number=999_999,
        opened_on=datetime.date(2010, 1, 1),
        rule=DisposalRule.values[0],
        confirmed_by=world.users[CASEWORKER],
    )
    world.audit_event = AuditEvent.objects.order_by("pk").first()
    return world


def add_superuser(world: World) -> None:
    """A verified superuser, for the screens no staff group is given."""
    user = UserFactory(is_staff=True, is_superuser=True)
    add_totp(user)
    world.users[SUPERUSER] = user
    world.sessions[SUPERUSER] = _session(user, verified=True)


@contextmanager
def module_world(django_db_blocker):
    """``build_world()`` inside a transaction rolled back when the module ends."""
    with override_settings(**FAST_AND_PRIVATE), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # Made by the accounts migration only when the database cache is
            # configured (not where Redis is).
            call_command("createcachetable", verbosity=0)
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
