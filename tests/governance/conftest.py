"""Fixtures for the governance tests (safeguarding holds, retention and
disposal): the right-of-access people and requests, verified parent and staff
clients, and a service case for the parent."""

import datetime

import pytest

from sar.models import ServiceCase
from tests.sar import conftest as sar_fixtures
from tests.sar.admin_support import staff_client_fixture  # noqa: F401
from tests.sar.views import conftest as view_fixtures

# Shared fixtures (pytest finds fixtures by name in this module).
_fast_passwords = sar_fixtures._fast_passwords
groups = sar_fixtures.groups
make_user = sar_fixtures.make_user
parent = sar_fixtures.parent
other_parent = sar_fixtures.other_parent
caseworker = sar_fixtures.caseworker
preparer = sar_fixtures.preparer
approver = sar_fixtures.approver
safeguarding_lead = sar_fixtures.safeguarding_lead
superuser = sar_fixtures.superuser
revision = sar_fixtures.revision
submit = sar_fixtures.submit
child_aged = sar_fixtures.child_aged
_private_cache = view_fixtures._private_cache
code_page = view_fixtures.code_page
parent_client = view_fixtures.parent_client
other_client = view_fixtures.other_client


@pytest.fixture
def administrator(make_user):
    from sar import roles

    return make_user(roles.ADMINISTRATOR)


@pytest.fixture
def service_case(parent):
    """The service's case for ``parent``, opened a few years ago."""
    return ServiceCase.objects.create(service_user=parent, opened_on=datetime.date(2021, 9, 1))
