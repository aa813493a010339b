"""Helpers for the staff admin tests: a client signed in with a verified
second factor (the Wagtail admin demands one of staff), and the admin URLs.
Import the fixture into a test module: ``from tests.sar.admin_support import
staff_client_fixture  # noqa: F401`` (it is named ``staff_client``)."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.portal.accounts.factories import add_totp, sign_in_verified


@pytest.fixture(name="staff_client")
def staff_client_fixture(db):
    """``staff_client(user)``: a client signed in as ``user`` whose session
    passed an authenticator-app check just now (staff or parent alike)."""

    def sign_in(user) -> Client:
        client = Client()
        sign_in_verified(client, user, add_totp(user))
        return client

    return sign_in


def dashboard_url(*, results_only: bool = False, **query) -> str:
    """The dashboard (or its results alone, as the filters fetch them)."""
    url = reverse("sar_admin:dashboard_results" if results_only else "sar_admin:dashboard")
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def case_url(case) -> str:
    return reverse("sar_admin:case", args=[case.pk])


def step_url(case, step: str) -> str:
    return reverse("sar_admin:case_step", args=[case.pk, step])


def shows(response, message: str) -> bool:
    """Whether the page shows ``message`` (as the template escapes it)."""
    return escape(message) in response.content.decode()
