"""What each step leaves behind, read from the table: a timeline entry (shown
to the parent or not), an audit event with the actor and reason, and for the
steps the parent sees an email that says nothing about them."""

import pytest

from portal.audit.models import AuditEvent
from sar.exceptions import InvalidTransition
from sar.models import CaseStatus, TimelineEntry
from sar.roles import APPROVER, CASEWORKER, REQUESTER, SAFEGUARDING_LEAD
from sar.workflow import TRANSITIONS
from tests.sar.factories import ChildFactory
from tests.sar.steps import REASON, put_case_in, take_step

ROLE_FIXTURES = {
    CASEWORKER: "caseworker",
    APPROVER: "approver",
    SAFEGUARDING_LEAD: "safeguarding_lead",
    REQUESTER: "parent",
}


@pytest.fixture
def child(parent):
    return ChildFactory(parent=parent)


@pytest.fixture
def case(submit, child):
    # About the child, so the child's name is something the email could leak.
    return submit(about_requester=False, children=[child]).cases.get()


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: t.name)
def test_each_step_leaves_a_timeline_entry_an_audit_event_and_the_right_email(
    t, case, child, parent, request, preparer, django_capture_on_commit_callbacks, mailoutbox
):
    actor = request.getfixturevalue(ROLE_FIXTURES[t.roles[0]])
    put_case_in(case, t.sources[0], preparer=preparer)
    if t.name == "approve":
        # A 8-year-old: no age rule stands in the way.
        assert child.date_of_birth.year > 2010
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        take_step(t.name, case, actor)

    entry = TimelineEntry.objects.get(request=case.request, kind=t.name)
    assert entry.visible_to_parent is t.parent_visible
    assert entry.actor == actor

    event = AuditEvent.objects.get(action=f"sar.case.{t.name}", object_id=str(case.pk))
    assert event.actor == actor
    assert event.reason == (REASON if t.audit_reason else "")
    assert event.data["timeline_entry"] == entry.pk
    # The audit trail keeps identifiers and statuses, never names.
    assert child.full_name not in str(event.data)

    if not t.parent_visible:
        assert mailoutbox == []
        return
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == [parent.email]
    text = f"{sent.subject}\n{sent.body}"
    for secret in (
        child.full_name,
        child.full_name.split()[-1],
        child.school_or_setting,
        parent.full_name,
        case.request.reference,
        REASON,
    ):
        assert secret not in text
    assert "sign in" in text.lower()


def test_the_refusal_email_carries_the_right_to_complain_and_to_a_court(
    case, approver, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        take_step("refuse", case, approver)
    body = mailoutbox[0].body
    assert "Information Commissioner" in body
    assert "ico.org.uk" in body
    assert "court" in body


def test_a_step_that_fails_sends_nothing(
    case, caseworker, django_capture_on_commit_callbacks, mailoutbox
):
    put_case_in(case, CaseStatus.CLOSED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidTransition):
        take_step("release", case, caseworker)
    assert mailoutbox == []
