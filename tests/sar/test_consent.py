"""Consent to disclose: recorded by a caseworker, seen and withdrawn by the
parent it is about, audited both ways."""

import datetime

import pytest

from portal.audit.models import AuditEvent
from sar import consent as consents
from sar.exceptions import InvalidTransition, NotPermitted, RuleViolation
from sar.models import ConsentMethod
from tests.sar.factories import ChildFactory

D = datetime.date.fromisoformat


@pytest.fixture
def record_consent(caseworker, parent):
    def record(**fields):
        arguments = {
            "recorded_by": caseworker,
            "parent": parent,
            "consent_given_by": "The parent, by phone",
            "what_information": "Notes of our advice on the EHCP",
            "recipient": "Oakfield School SENCo",
            "purpose": "To plan support at school",
            "given_on": D("2026-10-01"),
            "method": ConsentMethod.VERBAL,
            **fields,
        }
        return consents.consent_record(**arguments)

    return record


def test_a_caseworker_records_consent_and_it_is_audited(record_consent, caseworker, parent):
    child = ChildFactory(parent=parent)
    consent = record_consent(child=child, expires_on=D("2027-10-01"))
    assert consent.recorded_by == caseworker
    assert consent.is_active_on(D("2026-12-01"))
    assert not consent.is_active_on(D("2027-10-02"))
    assert not consent.is_active_on(D("2026-09-30"))
    event = AuditEvent.objects.get(action="sar.consent.record")
    assert event.actor == caseworker
    assert event.data == {"parent": parent.pk, "child": child.pk, "method": "verbal"}


def test_only_a_caseworker_records_consent(record_consent, parent, approver):
    for actor in (parent, approver):
        with pytest.raises(NotPermitted) as caught:
            record_consent(recorded_by=actor)
        assert caught.value.message == consents.CONSENT_RECORD_NOT_PERMITTED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"recipient": " "}, consents.CONSENT_DETAIL_REQUIRED),
        ({"method": "telepathy"}, consents.CONSENT_METHOD_INVALID),
        ({"given_on": D("2999-01-01")}, consents.CONSENT_GIVEN_IN_FUTURE),
        ({"expires_on": D("2026-09-30")}, consents.CONSENT_EXPIRES_BEFORE_GIVEN),
    ],
)
def test_invalid_consents_are_refused(record_consent, fields, message):
    with pytest.raises(RuleViolation) as caught:
        record_consent(**fields)
    assert caught.value.message == message


def test_the_child_must_be_the_parents(record_consent, other_parent):
    with pytest.raises(RuleViolation) as caught:
        record_consent(child=ChildFactory(parent=other_parent))
    assert caught.value.message == consents.CONSENT_CHILD_NOT_PARENTS


def test_the_parent_withdraws_their_own_consent_once(record_consent, parent):
    consent = record_consent()
    consent = consents.consent_withdraw(parent=parent, consent=consent)
    assert consent.withdrawn_by == parent and consent.withdrawn_at is not None
    assert not consent.is_active
    assert AuditEvent.objects.filter(action="sar.consent.withdraw", actor=parent).exists()
    with pytest.raises(InvalidTransition) as caught:
        consents.consent_withdraw(parent=parent, consent=consent)
    assert caught.value.message == consents.CONSENT_ALREADY_WITHDRAWN


def test_nobody_else_withdraws_a_parents_consent(record_consent, other_parent, caseworker):
    consent = record_consent()
    for actor in (other_parent, caseworker):
        with pytest.raises(NotPermitted) as caught:
            consents.consent_withdraw(parent=actor, consent=consent)
        assert caught.value.message == consents.CONSENT_NOT_YOURS
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
