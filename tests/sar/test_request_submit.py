"""Submitting a request: one request, one case per person, one clock, a
reference, a timeline entry, an audit event and a content-free email."""

import datetime

import pytest
import time_machine
from django.core import mail

from portal.audit.models import AuditEvent
from sar import deadlines
from sar.exceptions import RuleViolation
from sar.models import (
    AccessRequest,
    Adjustment,
    ConsentStatus,
    Scope,
    SubjectCase,
    SubjectKind,
    TimelineEntry,
)
from sar.workflow import messages
from tests.sar.factories import ChildFactory

LONDON = deadlines.LONDON


@pytest.fixture
def frozen():
    # Friday 3 September 2027, 10:00 in London.
    when = datetime.datetime(2027, 9, 3, 10, 0, tzinfo=LONDON)
    with time_machine.travel(when, tick=False):
        yield when


def test_request_about_the_parent_and_two_children_makes_three_cases_on_one_clock(
    frozen, parent, submit
):
    children = [ChildFactory(parent=parent), ChildFactory(parent=parent)]
    request = submit(children=children)

    cases = list(request.cases.order_by("id"))
    assert [c.kind for c in cases] == [SubjectKind.REQUESTER, SubjectKind.CHILD, SubjectKind.CHILD]
    assert [c.child for c in cases] == [None, *children]
    assert {c.request_id for c in cases} == {request.pk}
    assert request.clock_started_on == datetime.date(2027, 9, 3)
    # 3 October 2027 is a Sunday.
    assert request.due_on == datetime.date(2027, 10, 4)
    assert request.reference == "SAR-2027-00001"


def test_references_are_sequential_within_a_year(frozen, submit):
    assert [submit().reference for _ in range(3)] == [
        "SAR-2027-00001",
        "SAR-2027-00002",
        "SAR-2027-00003",
    ]


def test_a_request_received_late_in_the_evening_in_summer_is_received_that_day_in_london(
    parent, submit
):
    # 23:30 UTC on 31 May is 00:30 on 1 June in London.
    received = datetime.datetime(2027, 5, 31, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(received + datetime.timedelta(hours=1), tick=False):
        request = submit(received_at=received)
    assert request.clock_started_on == datetime.date(2027, 6, 1)
    assert request.due_on == datetime.date(2027, 7, 1)


def test_submitting_writes_a_parent_timeline_entry_audit_and_acknowledgement(
    frozen, parent, submit, django_capture_on_commit_callbacks
):
    child = ChildFactory(parent=parent)
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(children=[child])

    entry = TimelineEntry.objects.get(request=request)
    assert entry.visible_to_parent
    assert entry.kind == "submit"
    assert request.reference in entry.message
    assert "4 October 2027" in entry.message

    event = AuditEvent.objects.get(action="sar.request.submit")
    assert event.actor == parent
    assert event.object_id == str(request.pk)

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [parent.email]
    body = sent.subject + sent.body
    for secret in (child.full_name, parent.full_name, request.reference, child.school_or_setting):
        assert secret not in body


def test_a_young_person_of_16_needs_consent_and_a_younger_child_does_not(
    frozen, child_aged, submit
):
    young_person = child_aged(16, on=datetime.date(2027, 9, 3))
    nearly = child_aged(15, on=datetime.date(2027, 9, 3), days=-1)  # 16 tomorrow
    request = submit(about_requester=False, children=[young_person, nearly])
    statuses = dict(request.cases.values_list("child_id", "consent_status"))
    assert statuses == {
        young_person.pk: ConsentStatus.NEEDED,
        nearly.pk: ConsentStatus.NOT_NEEDED,
    }


def test_adjustments_are_kept_once_each_with_their_details(frozen, submit):
    request = submit(
        adjustments=[Adjustment.INTERPRETER, Adjustment.LARGE_PRINT, Adjustment.INTERPRETER],
        interpreter_language="Polish",
        adjustment_other="ignored: other was not chosen",
    )
    assert request.adjustments == [Adjustment.INTERPRETER, Adjustment.LARGE_PRINT]
    assert request.interpreter_language == "Polish"
    assert request.adjustment_other == ""


def test_specific_scope_keeps_dates_and_topics(frozen, submit):
    request = submit(
        scope=Scope.SPECIFIC,
        date_from=datetime.date(2025, 1, 1),
        date_to=datetime.date(2025, 12, 31),
        topics=" EHCP annual review ",
    )
    assert (request.date_from, request.date_to, request.topics) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
        "EHCP annual review",
    )


def test_everything_scope_drops_details_left_over_from_the_form(frozen, submit):
    request = submit(
        scope=Scope.EVERYTHING, topics="left over", date_from=datetime.date(2025, 1, 1)
    )
    assert (request.date_from, request.topics) == (None, "")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"about_requester": False}, messages.NO_SUBJECT),
        ({"scope": "some"}, messages.SCOPE_INVALID),
        ({"scope": Scope.SPECIFIC}, messages.SCOPE_DETAIL_REQUIRED),
        (
            {
                "scope": Scope.SPECIFIC,
                "date_from": datetime.date(2025, 2, 1),
                "date_to": datetime.date(2025, 1, 1),
            },
            messages.DATE_RANGE_REVERSED,
        ),
        ({"delivery": "post"}, messages.DELIVERY_INVALID),
        ({"adjustments": ["braille-ish"]}, messages.ADJUSTMENT_INVALID),
        ({"adjustments": [Adjustment.INTERPRETER]}, messages.INTERPRETER_LANGUAGE_REQUIRED),
        (
            {"adjustments": [Adjustment.OTHER], "adjustment_other": " "},
            messages.ADJUSTMENT_OTHER_REQUIRED,
        ),
        ({"code_revision": None}, messages.CODE_NOT_ACKNOWLEDGED),
        (
            {"received_at": datetime.datetime(2027, 9, 4, tzinfo=datetime.UTC)},
            messages.RECEIVED_IN_FUTURE,
        ),
    ],
)
def test_invalid_requests_are_refused_with_a_message(frozen, parent, revision, fields, message):
    from sar.workflow import request_submit

    arguments = {
        "requester": parent,
        "about_requester": True,
        "scope": Scope.EVERYTHING,
        "delivery": "download",
        "code_revision": revision,
        **fields,
    }
    with pytest.raises(RuleViolation) as caught:
        request_submit(**arguments)
    assert caught.value.message == message
    assert not AccessRequest.objects.exists()


def test_a_child_from_another_parents_account_is_refused(frozen, other_parent, submit):
    with pytest.raises(RuleViolation) as caught:
        submit(children=[ChildFactory(parent=other_parent)])
    assert caught.value.message == messages.CHILD_NOT_YOURS
    assert not SubjectCase.objects.exists()


def test_the_same_child_twice_is_refused(frozen, parent, submit):
    child = ChildFactory(parent=parent)
    with pytest.raises(RuleViolation) as caught:
        submit(children=[child, child])
    assert caught.value.message == messages.CHILD_REPEATED


def test_a_refused_request_uses_no_reference_number(frozen, parent, submit):
    submit()
    with pytest.raises(RuleViolation):
        submit(scope="nonsense")
    assert submit().reference == "SAR-2027-00002"
