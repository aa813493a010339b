"""Who may open the parent's pages. The pages without arguments are in
PERSONAL_URL_NAMES, so tests/portal/accounts/test_access.py refuses an
unverified session on each; the pages with a reference or id are checked here."""

from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from portal.accounts.urls import PERSONAL_URL_NAMES
from sar.urls import NO_ARGUMENT_URL_NAMES
from tests.portal.accounts.factories import StaffFactory, add_totp, sign_in_password_only
from tests.sar.views.journey import url, verify

pytestmark = pytest.mark.django_db


def test_every_page_without_arguments_is_a_personal_page():
    assert set(NO_ARGUMENT_URL_NAMES) <= set(PERSONAL_URL_NAMES)


@pytest.fixture
def urls_with_arguments(submit, parent, caseworker):
    from sar.consent import consent_record
    from sar.models import ConsentMethod

    request = submit()
    consent = consent_record(
        recorded_by=caseworker,
        parent=parent,
        consent_given_by="The parent",
        what_information="Notes",
        recipient="A school",
        purpose="Support",
        given_on=request.received_at.date(),
        method=ConsentMethod.WRITTEN,
    )
    return [
        url("request_detail", request.reference),
        url("confirmation", request.reference),
        url("answer", request.reference),
        url("withdraw", request.reference),
        url("download", request.reference, request.cases.first().pk),
        url("consent_withdraw", consent.pk),
        url("child_change", "abcd1234"),
        url("child_remove", "abcd1234"),
    ]


def test_pages_with_arguments_send_an_unverified_session_to_the_challenge(
    client, parent, urls_with_arguments
):
    add_totp(parent)
    parent.email_verified_at = parent.date_joined
    parent.save()
    sign_in_password_only(client, parent)

    for address in urls_with_arguments:
        response = client.get(address)
        assert response.status_code == 302, address
        assert urlparse(response["Location"]).path == reverse("accounts:challenge"), address
        response = client.post(address)
        assert urlparse(response["Location"]).path == reverse("accounts:challenge"), address


def test_pages_with_arguments_send_a_signed_out_visitor_to_sign_in(urls_with_arguments):
    client = Client()
    for address in urls_with_arguments:
        response = client.get(address)
        assert urlparse(response["Location"]).path == reverse("accounts:sign_in"), address


def test_staff_accounts_have_no_requests_here(db):
    staff = StaffFactory()
    client = verify(Client(), staff)

    for name in NO_ARGUMENT_URL_NAMES:
        assert client.get(url(name.removeprefix("sar:")))["Location"] == reverse(
            "accounts:dashboard"
        )
