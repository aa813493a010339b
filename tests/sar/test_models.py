"""The invariants the database holds itself: each constraint refuses the row
it exists to refuse."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sar.models import (
    AccessRequest,
    CaseStatus,
    Child,
    ConsentMethod,
    ConsentStatus,
    ConsentToDisclose,
    Relationship,
    Scope,
    SubjectCase,
    SubjectKind,
)
from tests.sar.factories import ChildFactory


def refused(queryset_update=None, create=None):
    with pytest.raises(IntegrityError), transaction.atomic():
        if queryset_update is not None:
            queryset_update()
        else:
            create()


@pytest.fixture
def request_(submit):
    return submit()


@pytest.mark.parametrize(
    "changes",
    [
        {"paused_days": -1},
        {"extension_months": 3},
        {"extension_months": -1},
        {"extension_months": 1},  # without a reason or notice date
        {"clock_started_on": None},  # due date without a clock
        {"paused_since": datetime.date(2000, 1, 1)},  # paused before it started
        {"scope": Scope.SPECIFIC},  # specific without dates or topics
        {"topics": "everything has no topics"},
        {
            "scope": Scope.SPECIFIC,
            "date_from": datetime.date(2025, 2, 1),
            "date_to": datetime.date(2025, 1, 1),
        },
    ],
)
def test_request_constraints(request_, changes):
    refused(lambda: AccessRequest.objects.filter(pk=request_.pk).update(**changes))


def test_an_extension_with_its_reason_and_notice_date_is_accepted(request_):
    AccessRequest.objects.filter(pk=request_.pk).update(
        extension_months=2, extension_reason="Complex.", extension_notified_on=F("clock_started_on")
    )


@pytest.fixture
def case(request_):
    return request_.cases.get()


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": SubjectKind.CHILD},  # a child case without a child
        {"status": CaseStatus.ON_HOLD},  # a hold that forgot the status before it
        {"held_from_status": CaseStatus.IN_REVIEW},  # ... or a memory without a hold
        {"status": CaseStatus.REFUSED, "closed_at": timezone.now()},  # no reason
        {"status": CaseStatus.CLOSED},  # no closed_at
        {"closed_at": timezone.now()},  # closed_at on an open case
        {"consent_status": ConsentStatus.NEEDED},  # consent about the requester
        {"competence_assessed": True},  # without notes and when
    ],
)
def test_case_constraints(case, changes):
    refused(lambda: SubjectCase.objects.filter(pk=case.pk).update(**changes))


def test_a_requester_case_cannot_have_a_child(case, parent):
    child = ChildFactory(parent=parent)
    refused(lambda: SubjectCase.objects.filter(pk=case.pk).update(child=child))


def test_one_requester_case_and_one_case_per_child(request_, parent):
    refused(create=lambda: SubjectCase.objects.create(request=request_, kind=SubjectKind.REQUESTER))
    child = ChildFactory(parent=parent)
    SubjectCase.objects.create(request=request_, kind=SubjectKind.CHILD, child=child)
    refused(
        create=lambda: SubjectCase.objects.create(
            request=request_, kind=SubjectKind.CHILD, child=child
        )
    )


def test_the_approver_cannot_be_the_preparer_even_in_the_database(case, caseworker):
    refused(
        lambda: SubjectCase.objects.filter(pk=case.pk).update(
            submitted_for_approval_by=caseworker, approved_by=caseworker
        )
    )


def test_a_consent_decision_says_when(request_, parent):
    child = ChildFactory(parent=parent)
    young = SubjectCase.objects.create(
        request=request_, kind=SubjectKind.CHILD, child=child, consent_status=ConsentStatus.NEEDED
    )
    refused(
        lambda: SubjectCase.objects.filter(pk=young.pk).update(consent_status=ConsentStatus.GIVEN)
    )


def test_other_relationship_is_described(parent):
    refused(
        create=lambda: Child.objects.create(
            parent=parent,
            full_name="Sam",
            date_of_birth=datetime.date(2015, 1, 1),
            relationship=Relationship.OTHER,
            has_parental_responsibility=False,
        )
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"expires_on": datetime.date(2025, 12, 31)},  # before it was given
        {"method": ConsentMethod.VERBAL, "recorded_by": None},
        {"withdrawn_at": timezone.now()},  # withdrawn by nobody
    ],
)
def test_consent_constraints(parent, caseworker, fields):
    arguments = {
        "parent": parent,
        "consent_given_by": "The parent",
        "what_information": "Notes",
        "recipient": "School",
        "purpose": "Support",
        "given_on": datetime.date(2026, 1, 1),
        "method": ConsentMethod.WRITTEN,
        "recorded_by": caseworker,
        **fields,
    }
    refused(create=lambda: ConsentToDisclose.objects.create(**arguments))
