"""Who we can share your information with: the list with each consent's status,
withdrawing one, and isolation (someone else's consent is a 404)."""

import datetime
import re

import pytest

from sar import deadlines
from sar.consent import CONSENT_ALREADY_WITHDRAWN, consent_record
from sar.models import ConsentMethod
from tests.sar.factories import ChildFactory
from tests.sar.views.journey import url

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def record(caseworker):
    def record_(parent, recipient, *, given_on=None, expires_on=None, child=None):
        return consent_record(
            recorded_by=caseworker,
            parent=parent,
            child=child,
            consent_given_by=parent.get_full_name() or "The parent",
            what_information="Notes of our meetings",
            recipient=recipient,
            purpose="To help plan support at school",
            given_on=given_on or deadlines.today(),
            method=ConsentMethod.WRITTEN,
            expires_on=expires_on,
        )

    return record_


def test_the_list_shows_each_consent_with_its_status(parent_client, parent, other_parent, record):
    today = deadlines.today()
    child = ChildFactory(parent=parent, full_name="Casey Child")
    record(parent, "Riverside School", child=child)
    record(
        parent,
        "Health visitor",
        given_on=today - datetime.timedelta(days=60),
        expires_on=today - datetime.timedelta(days=1),
    )
    record(other_parent, "Someone else's recipient")

    page = text(parent_client.get(url("consents")))

    assert "Who we can share your information with" in page
    assert "Sharing with Riverside School" in page
    assert "Casey Child" in page
    assert "Sharing with Health visitor" in page
    assert ">Active<" in page
    assert ">Expired<" in page
    assert "Someone else" not in page


def test_no_consents_yet(parent_client):
    assert "You have not agreed to us sharing any information." in text(
        parent_client.get(url("consents"))
    )


def test_withdrawing_a_consent(parent_client, parent, record):
    consent = record(parent, "Riverside School")
    list_page = text(parent_client.get(url("consents")))
    assert f'href="{url("consent_withdraw", consent.pk)}"' in list_page

    confirm = text(parent_client.get(url("consent_withdraw", consent.pk)))
    assert "Are you sure you want to withdraw your consent?" in confirm
    assert "govuk-warning-text" in confirm

    response = parent_client.post(url("consent_withdraw", consent.pk))

    assert response["Location"] == url("consents")
    consent.refresh_from_db()
    assert consent.withdrawn_by == parent
    after = text(parent_client.get(url("consents")))
    assert ">Withdrawn<" in after
    assert "You have withdrawn your consent to share with Riverside School." in after
    assert f'href="{url("consent_withdraw", consent.pk)}"' not in after


def test_withdrawing_twice_is_a_message_not_a_500(parent_client, parent, record):
    consent = record(parent, "Riverside School")
    parent_client.post(url("consent_withdraw", consent.pk))

    response = parent_client.post(url("consent_withdraw", consent.pk))

    assert response.status_code == 200
    assert CONSENT_ALREADY_WITHDRAWN in text(response)
    assert "govuk-error-summary" in text(response)


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_parents_consent_is_not_found(parent_client, other_parent, record, method):
    theirs = record(other_parent, "Their school")

    response = getattr(parent_client, method)(url("consent_withdraw", theirs.pk))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None
