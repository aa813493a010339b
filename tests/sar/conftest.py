"""Fixtures for the right-of-access tests: people in each role, a
confidentiality code revision, and a helper to submit requests."""

import datetime

import pytest
from django.contrib.auth.models import Group

from sar import roles
from sar.models import Delivery, Scope
from sar.workflow import request_submit
from tests.sar.factories import ChildFactory, UserFactory, confidentiality_revision

STAFF_GROUPS = (
    roles.CASEWORKER,
    roles.APPROVER,
    roles.SAFEGUARDING_LEAD,
    "Content editor",
    "Administrator",
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 on every test user would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def groups(db):
    # The accounts migration creates these; get_or_create keeps the tests
    # independent of whether it has run.
    return {name: Group.objects.get_or_create(name=name)[0] for name in STAFF_GROUPS}


@pytest.fixture
def make_user(db, groups):
    def make(*group_names, **fields):
        fields.setdefault("is_staff", bool(group_names))
        user = UserFactory(**fields)
        for name in group_names:
            user.groups.add(groups[name])
        return user

    return make


@pytest.fixture
def parent(make_user):
    return make_user()


@pytest.fixture
def other_parent(make_user):
    return make_user()


@pytest.fixture
def caseworker(make_user):
    return make_user(roles.CASEWORKER)


@pytest.fixture
def preparer(make_user):
    """A second caseworker, who prepares cases for approval."""
    return make_user(roles.CASEWORKER)


@pytest.fixture
def approver(make_user):
    return make_user(roles.APPROVER)


@pytest.fixture
def safeguarding_lead(make_user):
    return make_user(roles.SAFEGUARDING_LEAD)


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def revision(db):
    return confidentiality_revision()


@pytest.fixture
def submit(parent, revision):
    """Submit a request (about the parent unless told otherwise)."""

    def submit_(requester=None, *, about_requester=True, children=(), **fields):
        fields.setdefault("scope", Scope.EVERYTHING)
        fields.setdefault("delivery", Delivery.DOWNLOAD)
        return request_submit(
            requester=requester or parent,
            about_requester=about_requester,
            children=children,
            code_revision=revision,
            **fields,
        )

    return submit_


@pytest.fixture
def child_aged(parent):
    """A child of ``parent`` who is ``years`` old (plus ``days``) on ``on``."""

    def make(years: int, *, on: datetime.date, days: int = 0, **fields):
        from dateutil.relativedelta import relativedelta

        born = on - relativedelta(years=years) - datetime.timedelta(days=days)
        return ChildFactory(parent=fields.pop("parent", parent), date_of_birth=born, **fields)

    return make
