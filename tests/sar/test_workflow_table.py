"""Every row of the transition table, from every status, by every kind of
person: allowed steps work, steps from the wrong status raise InvalidTransition,
steps by the wrong person raise NotPermitted, and nothing changes when refused."""

import pytest

from portal.audit.models import AuditEvent
from sar import roles
from sar.exceptions import InvalidTransition, NotPermitted
from sar.models import CaseStatus, TimelineEntry
from sar.workflow import (
    ACTIONS,
    CASE_STEPS,
    TRANSITIONS,
    allowed_transitions,
    messages,
)
from tests.sar.steps import HELD_FROM, put_case_in, take_step

ALLOWED = [(t.name, source) for t in TRANSITIONS for source in t.sources]
FORBIDDEN = [
    (t.name, status) for t in TRANSITIONS for status in CaseStatus if status not in t.sources
]

ACTOR_KINDS = (
    "caseworker",
    "approver",
    "safeguarding_lead",
    "requester",
    "other_parent",
    "staff_without_role",
    "content_editor",
    "administrator",
    "superuser",
)
PERMITTED = {
    roles.CASEWORKER: {"caseworker", "superuser"},
    roles.APPROVER: {"approver", "superuser"},
    roles.SAFEGUARDING_LEAD: {"safeguarding_lead", "superuser"},
    roles.REQUESTER: {"requester"},
}


def permitted_kinds(t):
    return set().union(*(PERMITTED[r] for r in t.roles))


WRONG_ROLE = [
    (t.name, kind) for t in TRANSITIONS for kind in ACTOR_KINDS if kind not in permitted_kinds(t)
]
BY_NAME = {t.name: t for t in TRANSITIONS}


@pytest.fixture
def actor_of(make_user, parent, superuser):
    made = {}

    def actor(kind):
        if kind not in made:
            made[kind] = {
                "caseworker": lambda: make_user(roles.CASEWORKER),
                "approver": lambda: make_user(roles.APPROVER),
                "safeguarding_lead": lambda: make_user(roles.SAFEGUARDING_LEAD),
                "requester": lambda: parent,
                "other_parent": lambda: make_user(),
                "staff_without_role": lambda: make_user(is_staff=True),
                "content_editor": lambda: make_user("Content editor"),
                "administrator": lambda: make_user("Administrator"),
                "superuser": lambda: superuser,
            }[kind]()
        return made[kind]

    return actor


@pytest.fixture
def case(submit):
    return submit().cases.get()


def test_the_table_covers_every_status_and_every_step_has_a_function():
    reachable = {t.target for t in TRANSITIONS if t.target} | {CaseStatus.SUBMITTED}
    assert reachable == set(CaseStatus)
    leaving = {s for t in TRANSITIONS for s in t.sources}
    assert set(CaseStatus) - leaving == {
        CaseStatus.CLOSED,
        CaseStatus.REFUSED,
        CaseStatus.WITHDRAWN,
    }
    case_steps = {t.name for t in TRANSITIONS if not t.request_level}
    assert set(CASE_STEPS) == case_steps
    assert all(t.name not in CASE_STEPS for t in ACTIONS)


@pytest.mark.parametrize(("name", "source"), ALLOWED)
def test_allowed_transition(name, source, case, actor_of, preparer):
    t = BY_NAME[name]
    put_case_in(case, source, preparer=preparer)
    actor = actor_of(sorted(permitted_kinds(t))[0])
    assert name in [a.name for a in allowed_transitions(case, actor)]

    take_step(name, case, actor)

    case.refresh_from_db()
    assert case.status == (HELD_FROM if t.target is None else t.target)
    assert TimelineEntry.objects.filter(request=case.request, kind=name).count() == 1
    event = AuditEvent.objects.get(action=f"sar.case.{name}", object_id=str(case.pk))
    assert event.actor == actor
    assert event.data["from"] == source
    assert event.data["to"] == case.status


@pytest.mark.parametrize(("name", "status"), FORBIDDEN)
def test_forbidden_transition(name, status, case, actor_of, preparer):
    t = BY_NAME[name]
    put_case_in(case, status, preparer=preparer)
    actor = actor_of(sorted(permitted_kinds(t))[0])
    assert name not in [a.name for a in allowed_transitions(case, actor)]
    entries = TimelineEntry.objects.count()

    with pytest.raises(InvalidTransition) as caught:
        take_step(name, case, actor)

    if name == "withdraw":
        expected = messages.REQUEST_FINISHED
    elif name == "answer_clarification":
        expected = messages.NO_CLARIFICATION_OUTSTANDING
    else:
        expected = messages.INVALID_TRANSITION.format(
            status=CaseStatus(status).label, action=t.label
        )
    assert caught.value.message == expected
    case.refresh_from_db()
    assert case.status == status
    assert TimelineEntry.objects.count() == entries
    assert not AuditEvent.objects.filter(action=f"sar.case.{name}").exists()


@pytest.mark.parametrize(("name", "kind"), WRONG_ROLE)
def test_wrong_role(name, kind, case, actor_of, preparer):
    t = BY_NAME[name]
    source = t.sources[0]
    put_case_in(case, source, preparer=preparer)
    actor = actor_of(kind)
    assert name not in [a.name for a in allowed_transitions(case, actor)]

    with pytest.raises(NotPermitted) as caught:
        take_step(name, case, actor)

    if t.request_level:
        assert caught.value.message == messages.NOT_YOUR_REQUEST
    else:
        assert caught.value.message == messages.NOT_PERMITTED
    case.refresh_from_db()
    assert case.status == source
    assert not AuditEvent.objects.filter(action=f"sar.case.{name}").exists()


@pytest.mark.parametrize("name", sorted(CASE_STEPS))
def test_staff_cannot_work_on_their_own_request(name, make_user, submit, preparer):
    t = BY_NAME[name]
    colleague_parent = make_user(*[r for r in t.roles])
    case = submit(colleague_parent).cases.get()
    put_case_in(case, t.sources[0], preparer=preparer)

    with pytest.raises(NotPermitted) as caught:
        take_step(name, case, colleague_parent)
    assert caught.value.message == messages.OWN_REQUEST


def test_wrong_role_is_reported_before_the_status(case, actor_of):
    # A parent probing a staff step learns nothing about where the case is.
    put_case_in(case, CaseStatus.ON_HOLD)
    with pytest.raises(NotPermitted):
        take_step("release", case, actor_of("requester"))
