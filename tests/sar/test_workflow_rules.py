"""The rules behind the table: four eyes on approval, children of 12+ and
young people of 16+, safeguarding holds, refusals and recording actions."""

import datetime

import pytest
import time_machine

from sar import roles
from sar.exceptions import InvalidTransition, NotPermitted, RuleViolation
from sar.models import CaseStatus, ConsentStatus, TimelineEntry
from sar.workflow import (
    allowed_actions,
    allowed_transitions,
    case_approve,
    case_assign,
    case_lift_hold,
    case_place_hold,
    case_record_child_views,
    case_record_young_person_consent,
    case_refuse,
    case_return,
    case_submit_for_approval,
    messages,
    parent_status_label,
    request_withdraw,
)
from sar.workflow.table import WORKING_LABEL
from tests.sar.steps import EXEMPTION, put_case_in

RECEIVED = datetime.datetime(2027, 9, 3, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(RECEIVED, tick=False):
        yield


@pytest.fixture
def case(submit):
    return submit().cases.get()


def child_case(submit, child):
    return submit(about_requester=False, children=[child]).cases.get()


# Four eyes -------------------------------------------------------------------


def test_the_approver_cannot_approve_what_they_submitted(case, make_user):
    both = make_user(roles.CASEWORKER, roles.APPROVER)
    put_case_in(case, CaseStatus.IN_REVIEW)
    case_submit_for_approval(case=case, actor=both)
    case.refresh_from_db()
    assert case.submitted_for_approval_by == both
    assert "approve" not in [t.name for t in allowed_transitions(case, both)]

    with pytest.raises(NotPermitted) as caught:
        case_approve(case=case, actor=both)
    assert caught.value.message == messages.APPROVER_IS_PREPARER

    other = make_user(roles.APPROVER)
    case = case_approve(case=case, actor=other)
    assert (case.status, case.approved_by) == (CaseStatus.APPROVED, other)


def test_returning_a_case_clears_who_prepared_it(case, caseworker, approver):
    put_case_in(case, CaseStatus.AWAITING_APPROVAL, preparer=caseworker)
    case = case_return(case=case, actor=approver, reason="Redact the phone number on page 3.")
    assert (case.status, case.submitted_for_approval_by) == (CaseStatus.IN_REVIEW, None)
    entry = TimelineEntry.objects.get(kind="return")
    assert not entry.visible_to_parent
    assert "page 3" in entry.message


@pytest.mark.parametrize("reason", ["", "   "])
def test_steps_that_need_a_reason_refuse_without_one(case, approver, reason):
    put_case_in(case, CaseStatus.AWAITING_APPROVAL)
    with pytest.raises(RuleViolation) as caught:
        case_return(case=case, actor=approver, reason=reason)
    assert caught.value.message == messages.REASON_REQUIRED
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPROVAL


# Children of 12 and over, young people of 16 and over --------------------------


@pytest.mark.parametrize(
    ("years", "days", "rule"),
    [
        (11, 364, None),  # 12 tomorrow: no rule
        (12, 0, "competence"),  # 12th birthday on the day of receipt
        (15, 364, "competence"),
        (16, 0, "consent"),
        (17, 0, "consent"),
    ],
)
def test_age_rules_on_the_day_of_receipt(
    frozen, submit, child_aged, approver, caseworker, years, days, rule
):
    child = child_aged(years, on=RECEIVED.date(), days=days)
    case = child_case(submit, child)
    put_case_in(case, CaseStatus.AWAITING_APPROVAL, preparer=caseworker)

    if rule is None:
        assert case_approve(case=case, actor=approver).status == CaseStatus.APPROVED
        return
    with pytest.raises(RuleViolation) as caught:
        case_approve(case=case, actor=approver)
    expected = (
        messages.COMPETENCE_NOT_RECORDED if rule == "competence" else messages.CONSENT_NOT_RECORDED
    )
    assert caught.value.message == expected

    if rule == "competence":
        case_record_child_views(
            case=case,
            actor=caseworker,
            competence_notes="Understands what records are and who will see them.",
            child_views="Happy for mum to see them.",
        )
    else:
        case_record_young_person_consent(
            case=case, actor=caseworker, given=True, reason="Signed form"
        )
    assert case_approve(case=case, actor=approver).status == CaseStatus.APPROVED


def test_age_is_taken_on_the_day_of_receipt_not_today(submit, child_aged, approver, caseworker):
    # 15 when the request came in, 16 by the time it is approved: the
    # competence rule applies, not consent.
    with time_machine.travel(RECEIVED, tick=False):
        child = child_aged(15, on=RECEIVED.date(), days=300)
        case = child_case(submit, child)
    assert case.consent_status == ConsentStatus.NOT_NEEDED
    put_case_in(case, CaseStatus.AWAITING_APPROVAL, preparer=caseworker)
    later = time_machine.travel(RECEIVED + datetime.timedelta(days=90), tick=False)
    with later, pytest.raises(RuleViolation) as caught:
        case_approve(case=case, actor=approver)
    assert caught.value.message == messages.COMPETENCE_NOT_RECORDED


def test_a_young_person_who_refused_consent_cannot_have_records_released(
    frozen, submit, child_aged, approver, caseworker
):
    case = child_case(submit, child_aged(17, on=RECEIVED.date()))
    case = case_record_young_person_consent(case=case, actor=caseworker, given=False)
    assert case.consent_status == ConsentStatus.REFUSED
    assert case.consent_recorded_by == caseworker
    put_case_in(case, CaseStatus.AWAITING_APPROVAL, preparer=caseworker)
    with pytest.raises(RuleViolation) as caught:
        case_approve(case=case, actor=approver)
    assert caught.value.message == messages.CONSENT_REFUSED


def test_consent_is_only_recorded_for_young_people(frozen, submit, child_aged, caseworker, case):
    child_13 = child_case(submit, child_aged(13, on=RECEIVED.date()))
    for target in (child_13, case):
        with pytest.raises(RuleViolation) as caught:
            case_record_young_person_consent(case=target, actor=caseworker, given=True)
        assert caught.value.message == messages.CONSENT_NOT_APPLICABLE


def test_child_views_are_only_recorded_for_a_child_and_need_notes(
    frozen, submit, child_aged, caseworker, case
):
    with pytest.raises(RuleViolation) as caught:
        case_record_child_views(case=case, actor=caseworker, competence_notes="Fine.")
    assert caught.value.message == messages.NOT_ABOUT_A_CHILD
    child = child_case(submit, child_aged(13, on=RECEIVED.date()))
    with pytest.raises(RuleViolation) as caught:
        case_record_child_views(case=child, actor=caseworker, competence_notes=" ")
    assert caught.value.message == messages.COMPETENCE_NOTES_REQUIRED


def test_recording_actions_need_a_caseworker_and_an_unfinished_case(
    frozen, submit, child_aged, approver, caseworker
):
    case = child_case(submit, child_aged(13, on=RECEIVED.date()))
    assert [a.name for a in allowed_actions(case, approver)] == []
    with pytest.raises(NotPermitted):
        case_record_child_views(case=case, actor=approver, competence_notes="Fine.")
    put_case_in(case, CaseStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        case_record_child_views(case=case, actor=caseworker, competence_notes="Fine.")


# Safeguarding holds -----------------------------------------------------------


@pytest.mark.parametrize(
    "before", [CaseStatus.IN_REVIEW, CaseStatus.APPROVED, CaseStatus.RELEASED, CaseStatus.SUBMITTED]
)
def test_a_hold_reads_as_ordinary_work_to_the_parent_and_lifting_restores(
    case, safeguarding_lead, before, django_capture_on_commit_callbacks, mailoutbox
):
    put_case_in(case, before)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_place_hold(
            case=case, actor=safeguarding_lead, reason="Concern raised.", exemption=EXEMPTION
        )
    assert (case.status, case.held_from_status) == (CaseStatus.ON_HOLD, before)
    assert parent_status_label(case) == WORKING_LABEL
    assert not TimelineEntry.objects.filter(kind="place_hold", visible_to_parent=True).exists()
    assert mailoutbox == []

    case = case_lift_hold(case=case, actor=safeguarding_lead, reason="Resolved.")
    assert (case.status, case.held_from_status) == (before, "")


def test_nothing_is_released_while_on_hold(case, safeguarding_lead, caseworker):
    put_case_in(case, CaseStatus.APPROVED)
    case_place_hold(
        case=case, actor=safeguarding_lead, reason="Concern raised.", exemption=EXEMPTION
    )
    from sar.workflow import case_release

    with pytest.raises(InvalidTransition):
        case_release(case=case, actor=caseworker)


def test_only_a_safeguarding_lead_places_a_hold(case, caseworker, approver):
    for actor in (caseworker, approver):
        with pytest.raises(NotPermitted):
            case_place_hold(case=case, actor=actor, reason="Concern raised.", exemption=EXEMPTION)


def test_every_status_has_a_parent_label_and_working_states_look_alike(case):
    for status in CaseStatus:
        case.status = status
        assert parent_status_label(case)
    labels = set()
    for status in (CaseStatus.IN_PROGRESS, CaseStatus.IN_REVIEW, CaseStatus.ON_HOLD):
        case.status = status
        labels.add(parent_status_label(case))
    assert labels == {WORKING_LABEL}


# Refusal and withdrawal ---------------------------------------------------------


def test_a_refusal_records_the_reason_and_tells_the_parent_their_rights(case, approver):
    case = case_refuse(case=case, actor=approver, reason="The fifth identical request this month.")
    assert case.status == CaseStatus.REFUSED
    assert case.refusal_reason == "The fifth identical request this month."
    assert case.closed_at is not None
    entry = TimelineEntry.objects.get(kind="refuse")
    assert entry.visible_to_parent
    assert "fifth identical request" in entry.message
    assert messages.RIGHTS_TEXT in entry.message


def test_withdrawing_withdraws_every_open_case_and_leaves_answered_ones(parent, submit, caseworker):
    from tests.sar.factories import ChildFactory

    request = submit(children=[ChildFactory(parent=parent), ChildFactory(parent=parent)])
    mine, first, second = request.cases.order_by("id")
    put_case_in(mine, CaseStatus.RELEASED)
    put_case_in(first, CaseStatus.ON_HOLD)

    request_withdraw(parent=parent, request=request, reason="Sorted it out with the school.")

    statuses = list(request.cases.order_by("id").values_list("status", flat=True))
    assert statuses == [CaseStatus.RELEASED, CaseStatus.WITHDRAWN, CaseStatus.WITHDRAWN]
    entry = TimelineEntry.objects.get(kind="withdraw")
    assert entry.case is None and entry.visible_to_parent
    assert "Sorted it out" in entry.message

    with pytest.raises(InvalidTransition) as caught:
        request_withdraw(parent=parent, request=request)
    assert caught.value.message == messages.REQUEST_FINISHED


def test_assigning_a_case_needs_a_caseworker_assignee(case, caseworker, approver, preparer):
    with pytest.raises(RuleViolation) as caught:
        case_assign(case=case, actor=caseworker, assignee=approver)
    assert caught.value.message == messages.ASSIGNEE_NOT_CASEWORKER
    case = case_assign(case=case, actor=caseworker, assignee=preparer)
    assert case.assigned_to == preparer
    assert case_assign(case=case, actor=caseworker, assignee=None).assigned_to is None
