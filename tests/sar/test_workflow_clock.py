"""The statutory clock driven through the workflow: it starts on receipt (or on
receipt of evidence asked for), pauses for a clarification, restarts keeping
the time left, and is extended before the original due date."""

import datetime

import pytest
import time_machine

from sar import deadlines
from sar.deadlines import EXTENSION_TOO_LATE, EXTENSION_TOO_LONG
from sar.exceptions import ExtensionNotAllowed, NotPermitted, RuleViolation
from sar.models import CaseStatus, TimelineEntry
from sar.workflow import (
    case_receive_evidence,
    case_refuse,
    case_request_clarification,
    case_request_evidence,
    case_start,
    messages,
    request_answer_clarification,
    request_extend,
)
from tests.sar.factories import ChildFactory
from tests.sar.steps import put_case_in

D = datetime.date.fromisoformat
# Sunday 10 January 2027, noon in London.
RECEIVED = datetime.datetime(2027, 1, 10, 12, 0, tzinfo=deadlines.LONDON)


def on(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{day}T12:00:00+00:00"), tick=False)


@pytest.fixture
def request_(parent, submit):
    with on("2027-01-10"):
        return submit(children=[ChildFactory(parent=parent)])


def test_the_clock_starts_on_receipt(request_):
    assert request_.clock_started_on == D("2027-01-10")
    assert request_.due_on == D("2027-02-10")


def test_a_clarification_pauses_the_shared_clock_and_the_answer_keeps_the_time_left(
    request_, parent, caseworker
):
    mine, childs = request_.cases.order_by("id")
    with on("2027-01-20"):
        case_start(case=mine, actor=caseworker)
        case_request_clarification(case=mine, actor=caseworker, reason="Which school year?")
    request_.refresh_from_db()
    assert request_.paused_since == D("2027-01-20")
    with on("2027-01-22"):
        # A second question on another case does not move the pause's start.
        case_request_clarification(case=childs, actor=caseworker, reason="Which setting?")
    request_.refresh_from_db()
    assert request_.paused_since == D("2027-01-20")

    with on("2027-01-30"):
        request_answer_clarification(parent=parent, request=request_, answer="Year 9, at Oakfield.")

    request_.refresh_from_db()
    assert request_.paused_since is None
    assert request_.paused_days == 10
    # 21 days were left on 20 January; 21 days from 30 January is Saturday
    # 20 February, so Monday 22 February.
    assert request_.due_on == D("2027-02-22")
    assert set(request_.cases.values_list("status", flat=True)) == {CaseStatus.IN_PROGRESS}
    entry = TimelineEntry.objects.get(kind="answer_clarification")
    assert entry.visible_to_parent and "Year 9, at Oakfield." in entry.message


def test_the_clarification_question_is_shown_to_the_parent(request_, caseworker):
    case = request_.cases.first()
    case_request_clarification(case=case, actor=caseworker, reason="Which school year?")
    entry = TimelineEntry.objects.get(kind="request_clarification")
    assert entry.visible_to_parent and "Which school year?" in entry.message


def test_only_the_requester_answers(request_, other_parent, caseworker):
    case_request_clarification(case=request_.cases.first(), actor=caseworker, reason="Which?")
    for actor in (other_parent, caseworker):
        with pytest.raises(NotPermitted) as caught:
            request_answer_clarification(parent=actor, request=request_, answer="This.")
        assert caught.value.message == messages.NOT_YOUR_REQUEST


def test_an_empty_answer_is_refused(request_, parent, caseworker):
    case_request_clarification(case=request_.cases.first(), actor=caseworker, reason="Which?")
    with pytest.raises(RuleViolation) as caught:
        request_answer_clarification(parent=parent, request=request_, answer="  ")
    assert caught.value.message == messages.ANSWER_REQUIRED


def test_refusing_the_only_case_waiting_for_an_answer_restarts_the_clock(
    request_, caseworker, approver
):
    case = request_.cases.first()
    with on("2027-01-20"):
        case_request_clarification(case=case, actor=caseworker, reason="Which?")
    with on("2027-01-25"):
        case_refuse(case=case, actor=approver, reason="Repeats last month's request.")
    request_.refresh_from_db()
    assert (request_.paused_since, request_.paused_days) == (None, 5)


def test_asking_for_evidence_stops_the_clock_until_it_arrives(request_, caseworker):
    mine, childs = request_.cases.order_by("id")
    with on("2027-01-11"):
        case_request_evidence(case=childs, actor=caseworker, reason="A birth certificate.")
    request_.refresh_from_db()
    assert (request_.clock_started_on, request_.due_on) == (None, None)
    entry = TimelineEntry.objects.get(kind="request_evidence")
    assert entry.visible_to_parent and "A birth certificate." in entry.message

    with on("2027-01-20"):
        case_receive_evidence(case=childs, actor=caseworker, received_on=D("2027-01-18"))
    request_.refresh_from_db()
    assert request_.clock_started_on == D("2027-01-18")
    assert request_.due_on == D("2027-02-18")
    childs.refresh_from_db()
    assert childs.status == CaseStatus.IN_PROGRESS


def test_starting_work_restarts_a_stopped_clock(request_, caseworker):
    mine, childs = request_.cases.order_by("id")
    with on("2027-01-11"):
        case_request_evidence(case=childs, actor=caseworker, reason="A birth certificate.")
    with on("2027-01-12"):
        case_start(case=mine, actor=caseworker)
    request_.refresh_from_db()
    assert request_.clock_started_on == D("2027-01-12")


def test_evidence_cannot_be_asked_for_once_work_has_started(request_, caseworker):
    mine, childs = request_.cases.order_by("id")
    case_start(case=mine, actor=caseworker)
    with pytest.raises(RuleViolation) as caught:
        case_request_evidence(case=childs, actor=caseworker, reason="A birth certificate.")
    assert caught.value.message == messages.EVIDENCE_AFTER_WORK_STARTED


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        ("2027-01-21", messages.EVIDENCE_DATE_IN_FUTURE),
        ("2027-01-09", messages.EVIDENCE_DATE_BEFORE_REQUEST),
    ],
)
def test_evidence_dates_must_be_possible(request_, caseworker, received_on, message):
    case = request_.cases.first()
    put_case_in(case, CaseStatus.AWAITING_EVIDENCE)
    with on("2027-01-20"), pytest.raises(RuleViolation) as caught:
        case_receive_evidence(case=case, actor=caseworker, received_on=D(received_on))
    assert caught.value.message == message


def test_an_extension_moves_the_due_date_and_tells_the_parent(
    request_, caseworker, django_capture_on_commit_callbacks, mailoutbox
):
    with on("2027-01-25"), django_capture_on_commit_callbacks(execute=True):
        request_extend(request=request_, actor=caseworker, months=2, reason="Records in 3 teams.")
    request_.refresh_from_db()
    assert request_.extension_months == 2
    assert request_.extension_notified_on == D("2027-01-25")
    assert request_.due_on == D("2027-04-12")  # Saturday 10 April -> Monday 12 April
    entry = TimelineEntry.objects.get(kind="extend")
    assert entry.visible_to_parent
    assert "Records in 3 teams." in entry.message and "12 April 2027" in entry.message
    assert len(mailoutbox) == 1


def test_extensions_add_up_to_two_months_at_most(request_, caseworker):
    with on("2027-01-25"):
        request_extend(request=request_, actor=caseworker, months=1, reason="Complex.")
        with pytest.raises(ExtensionNotAllowed) as caught:
            request_extend(request=request_, actor=caseworker, months=2, reason="Very complex.")
        assert caught.value.message == EXTENSION_TOO_LONG
        request_extend(request=request_, actor=caseworker, months=1, reason="Very complex.")
    request_.refresh_from_db()
    assert request_.extension_months == 2
    assert request_.due_on == D("2027-04-12")


def test_an_extension_comes_before_the_original_due_date(request_, caseworker):
    with on("2027-02-10"):
        request_extend(request=request_, actor=caseworker, months=1, reason="Complex.")
    with on("2027-02-11"), pytest.raises(ExtensionNotAllowed) as caught:
        request_extend(request=request_, actor=caseworker, months=1, reason="Complex.")
    assert caught.value.message == EXTENSION_TOO_LATE


def test_an_extension_needs_a_caseworker_a_reason_and_a_running_clock(
    request_, parent, approver, caseworker
):
    for actor in (parent, approver):
        with pytest.raises(NotPermitted):
            request_extend(request=request_, actor=actor, months=1, reason="Complex.")
    with pytest.raises(RuleViolation) as caught:
        request_extend(request=request_, actor=caseworker, months=1, reason=" ")
    assert caught.value.message == messages.REASON_REQUIRED
    case_request_evidence(case=request_.cases.first(), actor=caseworker, reason="ID.")
    with pytest.raises(RuleViolation) as caught:
        request_extend(request=request_, actor=caseworker, months=1, reason="Complex.")
    assert caught.value.message == messages.CLOCK_NOT_STARTED
