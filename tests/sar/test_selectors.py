"""Reads scoped to who asks: a parent never reaches another parent's request,
child, consent or timeline (404, not 403); the staff dashboard finds overdue,
due-soon, paused and extended cases."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from sar import selectors
from sar.models import CaseStatus, ConsentMethod, ConsentToDisclose, TimelineEntry
from sar.workflow import (
    case_assign,
    case_request_clarification,
    case_start,
    request_extend,
)
from tests.sar.factories import ChildFactory
from tests.sar.steps import put_case_in

D = datetime.date.fromisoformat


def on(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{day}T12:00:00+00:00"), tick=False)


def consent_for(parent, child=None):
    return ConsentToDisclose.objects.create(
        parent=parent,
        child=child,
        consent_given_by="The parent",
        what_information="Advice notes",
        recipient="The school SENCo",
        purpose="Planning support",
        given_on=D("2026-01-05"),
        method=ConsentMethod.WRITTEN,
    )


@pytest.fixture
def theirs(other_parent, submit):
    child = ChildFactory(parent=other_parent)
    request = submit(other_parent, children=[child])
    return request, child, consent_for(other_parent, child)


def test_a_parent_gets_404_for_another_parents_request_child_consent_and_timeline(parent, theirs):
    request, child, consent = theirs
    with pytest.raises(Http404):
        selectors.request_for_parent(parent, request.reference)
    with pytest.raises(Http404):
        selectors.parent_timeline(parent, request.reference)
    # Nor by handing over the request itself.
    with pytest.raises(Http404):
        selectors.parent_timeline(parent, request)
    with pytest.raises(Http404):
        selectors.child_for_parent(parent, child.pk)
    with pytest.raises(Http404):
        selectors.consent_for_parent(parent, consent.pk)
    assert list(selectors.requests_for_parent(parent)) == []
    assert list(selectors.children_for_parent(parent)) == []
    assert list(selectors.consents_for_parent(parent)) == []


@pytest.mark.parametrize("bad_id", ["not-a-number", None, 10**9])
def test_nonsense_ids_are_404(parent, bad_id):
    with pytest.raises(Http404):
        selectors.child_for_parent(parent, bad_id)
    with pytest.raises(Http404):
        selectors.consent_for_parent(parent, bad_id)


def test_signed_out_visitors_see_nothing(theirs):
    request, child, consent = theirs
    anonymous = AnonymousUser()
    assert not selectors.requests_for_parent(anonymous).exists()
    assert not selectors.children_for_parent(anonymous).exists()
    assert not selectors.consents_for_parent(anonymous).exists()
    with pytest.raises(Http404):
        selectors.request_for_parent(anonymous, request.reference)


def test_a_parent_sees_their_own_requests_children_consents_and_parent_timeline(
    parent, submit, caseworker, theirs
):
    child = ChildFactory(parent=parent)
    first = submit(children=[child])
    second = submit()
    consent = consent_for(parent, child)
    case = first.cases.first()
    put_case_in(case, CaseStatus.IN_PROGRESS)
    case_request_clarification(case=case, actor=caseworker, reason="Which year?")
    TimelineEntry.objects.create(request=first, kind="note", message="Staff only.")

    assert set(selectors.requests_for_parent(parent)) == {first, second}
    assert selectors.request_for_parent(parent, first.reference) == first
    assert list(selectors.children_for_parent(parent)) == [child]
    assert list(selectors.consents_for_parent(parent)) == [consent]
    kinds = [e.kind for e in selectors.parent_timeline(parent, first.reference)]
    assert kinds == ["submit", "request_clarification"]


@pytest.fixture
def dashboard(make_user, submit, caseworker, preparer):
    """Four requests received at different times, seen on 1 March 2027."""
    requester = make_user()
    with on("2027-01-20"):
        overdue = submit(requester).cases.get()  # due 22 Feb (20 Feb is a Saturday)
    with on("2027-02-03"):
        due_soon = submit(requester).cases.get()  # due 3 March
        paused = submit(requester).cases.get()
        case_request_clarification(case=paused, actor=caseworker, reason="Which?")
    with on("2027-02-20"):
        extended = submit(requester).cases.get()
        request_extend(request=extended.request, actor=caseworker, months=1, reason="Complex.")
        later = submit(requester).cases.get()  # due 22 March
        done = submit(requester).cases.get()
        put_case_in(done, CaseStatus.RELEASED)
    case_assign(case=overdue, actor=caseworker, assignee=preparer)
    case_start(case=due_soon, actor=caseworker)
    return {
        "overdue": overdue,
        "due_soon": due_soon,
        "paused": paused,
        "extended": extended,
        "later": later,
        "done": done,
    }


def test_the_dashboard_lists(dashboard):
    today = D("2027-03-01")
    ids = lambda cases: {c.pk for c in cases}  # noqa: E731
    d = dashboard
    assert ids(selectors.cases_overdue(today=today)) == {d["overdue"].pk}
    assert ids(selectors.cases_due_within(7, today=today)) == {d["due_soon"].pk}
    assert ids(selectors.cases_paused()) == {d["paused"].pk}
    assert ids(selectors.cases_extended()) == {d["extended"].pk}
    assert selectors.dashboard_counts(today=today) == {
        "overdue": 1,
        "due_within_7_days": 1,
        "paused": 1,
        "extended": 1,
        "awaiting_approval": 0,
        "on_hold": 0,
    }


def test_the_case_list_filters_by_caseworker_and_status_and_sorts_by_due_date(dashboard, preparer):
    d = dashboard
    assert list(selectors.cases_for_staff(caseworker=preparer)) == [d["overdue"]]
    assert d["overdue"] not in selectors.cases_for_staff(unassigned=True)
    assert list(selectors.cases_for_staff(statuses=[CaseStatus.IN_PROGRESS])) == [d["due_soon"]]
    assert d["done"] not in selectors.cases_for_staff(open_only=True)

    by_due = [c.request.due_on for c in selectors.cases_for_staff(open_only=True)]
    assert by_due == sorted(by_due)
    latest_first = [c.request.due_on for c in selectors.cases_for_staff(sort="-due")]
    assert latest_first == sorted(latest_first, reverse=True)
    with pytest.raises(ValueError):
        selectors.cases_for_staff(sort="name")


def test_cases_whose_clock_has_not_started_sort_last(submit, caseworker):
    from sar.workflow import case_request_evidence

    waiting = submit().cases.get()
    running = submit().cases.get()
    case_request_evidence(case=waiting, actor=caseworker, reason="Photo ID.")
    assert list(selectors.cases_for_staff()) == [running, waiting]


def test_staff_see_neither_their_own_requests_nor_holds_unless_their_role_shows_holds(
    make_user, submit, caseworker, safeguarding_lead
):
    held = submit().cases.get()
    put_case_in(held, CaseStatus.ON_HOLD)
    own = submit(caseworker).cases.get()
    other = submit().cases.get()
    administrator = make_user("Administrator")

    assert set(selectors.cases_for_staff(viewer=caseworker)) == {other}
    assert set(selectors.cases_for_staff(viewer=safeguarding_lead)) == {held, own, other}
    assert set(selectors.cases_for_staff(viewer=administrator)) == {held, own, other}
    with pytest.raises(Http404):
        selectors.case_for_staff(caseworker, held.pk)
    with pytest.raises(Http404):
        selectors.case_for_staff(caseworker, own.pk)
    assert selectors.case_for_staff(safeguarding_lead, held.pk) == held
    assert "on_hold" not in selectors.dashboard_counts(viewer=caseworker)
    assert selectors.dashboard_counts(viewer=safeguarding_lead)["on_hold"] == 1
