"""Every workflow step through the admin's one step view: the right role
sees the button, and taking the step moves the case, writes a timeline entry
and an audit event; the wrong role sees no button and a forged post gets the
domain's message; so does a step from the wrong status, an approver
approving their own work, and any other rule the domain enforces. Nothing
here is ever a 500."""

import datetime

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from sar import deadlines, roles
from sar.models import CaseStatus, ConsentStatus, SubjectCase, TimelineEntry
from sar.workflow import TRANSITIONS_BY_NAME, messages
from tests.sar.admin_support import case_url, shows, staff_client_fixture, step_url  # noqa: F401
from tests.sar.steps import EXEMPTION, put_case_in

pytestmark = pytest.mark.django_db

S = CaseStatus
REASON = "Recorded for the test."


@pytest.fixture
def case(submit):
    return submit().cases.get()


@pytest.fixture
def people(caseworker, approver, safeguarding_lead, preparer):
    return {
        "caseworker": caseworker,
        "approver": approver,
        "safeguarding_lead": safeguarding_lead,
        "preparer": preparer,
    }


def has_button(client, case, step: str) -> bool:
    return f'data-step="{step}"' in client.get(case_url(case)).content.decode()


# (step, who takes it, status before, what the form posts, status after)
TRANSITIONS = [
    ("request_evidence", "caseworker", S.SUBMITTED, {"reason": "Photo ID."}, S.AWAITING_EVIDENCE),
    (
        "receive_evidence",
        "caseworker",
        S.AWAITING_EVIDENCE,
        {"received_on": "today"},
        S.IN_PROGRESS,
    ),
    ("start", "caseworker", S.SUBMITTED, {}, S.IN_PROGRESS),
    (
        "request_clarification",
        "caseworker",
        S.IN_PROGRESS,
        {"reason": "Which years?"},
        S.CLARIFICATION,
    ),
    ("submit_for_review", "caseworker", S.IN_PROGRESS, {}, S.IN_REVIEW),
    ("submit_for_approval", "caseworker", S.IN_REVIEW, {}, S.AWAITING_APPROVAL),
    ("return", "approver", S.AWAITING_APPROVAL, {"reason": "Redact p. 3."}, S.IN_REVIEW),
    ("approve", "approver", S.AWAITING_APPROVAL, {}, S.APPROVED),
    ("release", "caseworker", S.APPROVED, {}, S.RELEASED),
    ("close", "caseworker", S.RELEASED, {}, S.CLOSED),
    ("refuse", "approver", S.IN_PROGRESS, {"reason": "The fifth identical request."}, S.REFUSED),
    (
        "place_hold",
        "safeguarding_lead",
        S.IN_REVIEW,
        {"reason": "A concern.", "exemption": EXEMPTION, "scope": "case"},
        S.ON_HOLD,
    ),
    ("lift_hold", "safeguarding_lead", S.ON_HOLD, {"reason": "Resolved."}, S.IN_REVIEW),
]


@pytest.mark.parametrize(
    "step, who, before, data, after", TRANSITIONS, ids=[t[0] for t in TRANSITIONS]
)
def test_each_transition_through_the_admin_for_the_right_role(
    staff_client, people, case, step, who, before, data, after
):
    put_case_in(case, before, preparer=people["preparer"])
    actor = people[who]
    client = staff_client(actor)
    if data.get("received_on") == "today":
        data = {"received_on": deadlines.today().isoformat()}
    assert has_button(client, case, step)
    assert client.get(step_url(case, step)).status_code == 200

    response = client.post(step_url(case, step), data)

    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.status == after
    entry = TimelineEntry.objects.get(case=case, kind=step)
    assert entry.actor == actor
    event = AuditEvent.objects.get(action=f"sar.case.{step}")
    assert event.actor == actor
    assert (event.object_type, event.object_id) == ("sar.subjectcase", str(case.pk))
    # Steps whose reason stays out of the trail (a hold's is kept encrypted on
    # the hold) record none there.
    audit_reason = TRANSITIONS_BY_NAME[step].audit_reason
    assert event.reason == (data.get("reason", "") if audit_reason else "")
    page = client.get(case_url(case)).content.decode()
    assert "Done: " in page


def test_assigning_a_caseworker(staff_client, caseworker, preparer, case):
    client = staff_client(caseworker)
    assert has_button(client, case, "assign")

    response = client.post(step_url(case, "assign"), {"assignee": preparer.pk})

    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.assigned_to == preparer
    assert TimelineEntry.objects.filter(case=case, kind="assign", actor=caseworker).exists()
    assert AuditEvent.objects.filter(action="sar.case.assign", actor=caseworker).exists()


def test_recording_a_childs_competence_and_views(
    staff_client, caseworker, submit, child_aged, parent
):
    child = child_aged(13, on=datetime.date.today(), days=30)
    case = submit(about_requester=False, children=[child]).cases.get()
    client = staff_client(caseworker)
    assert has_button(client, case, "record_child_views")
    assert not has_button(client, case, "record_young_person_consent")

    response = client.post(
        step_url(case, "record_child_views"),
        {"competence_notes": "Understands what a copy means.", "child_views": "Happy for mum."},
    )

    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.competence_assessed and case.competence_recorded_by == caseworker
    assert case.child_views == "Happy for mum."
    assert TimelineEntry.objects.filter(case=case, kind="record_child_views").exists()
    assert AuditEvent.objects.filter(action="sar.case.record_child_views").exists()


def test_recording_a_young_persons_consent(staff_client, caseworker, submit, child_aged):
    child = child_aged(17, on=datetime.date.today(), days=30)
    case = submit(about_requester=False, children=[child]).cases.get()
    client = staff_client(caseworker)
    assert has_button(client, case, "record_young_person_consent")

    response = client.post(
        step_url(case, "record_young_person_consent"),
        {"given": "no", "reason": "Asked in person at college."},
    )

    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.consent_status == ConsentStatus.REFUSED
    assert AuditEvent.objects.get(action="sar.case.record_young_person_consent").reason == (
        "Asked in person at college."
    )


def test_extending_the_time_to_respond(staff_client, caseworker, case):
    client = staff_client(caseworker)
    assert has_button(client, case, "extend")

    response = client.post(
        step_url(case, "extend"), {"months": "2", "reason": "Records held at three schools."}
    )

    assert response["Location"] == case_url(case)
    case.request.refresh_from_db()
    assert case.request.extension_months == 2
    assert TimelineEntry.objects.filter(request=case.request, kind="extend").exists()
    assert AuditEvent.objects.get(action="sar.request.extend").actor == caseworker
    assert not has_button(client, case, "extend")  # two months is the most


# Refused, with the domain's words ----------------------------------------------

WRONG_ROLE = [
    ("approve", "caseworker", S.AWAITING_APPROVAL),
    ("return", "caseworker", S.AWAITING_APPROVAL),
    ("refuse", "caseworker", S.IN_PROGRESS),
    ("place_hold", "caseworker", S.IN_REVIEW),
    ("start", "approver", S.SUBMITTED),
    ("release", "approver", S.APPROVED),
    ("lift_hold", "approver", S.ON_HOLD),
    ("assign", "approver", S.SUBMITTED),
]


# What else a forged post carries.
FORGED_EXTRA = {"place_hold": {"exemption": EXEMPTION, "scope": "case"}}


@pytest.mark.parametrize(
    "step, who, status", WRONG_ROLE, ids=[f"{s}-by-{w}" for s, w, _ in WRONG_ROLE]
)
def test_the_wrong_role_sees_no_button_and_a_forged_post_is_refused(
    staff_client, people, case, make_user, step, who, status
):
    put_case_in(case, status, preparer=people["preparer"])
    actor = people[who]
    if status == S.ON_HOLD:
        # Someone who may see the hold but may not lift it.
        actor = make_user(roles.APPROVER, roles.ADMINISTRATOR)
    client = staff_client(actor)
    assert not has_button(client, case, step)

    response = client.post(step_url(case, step), {"reason": REASON, **FORGED_EXTRA.get(step, {})})

    assert response.status_code == 200
    assert shows(response, messages.NOT_PERMITTED)
    case.refresh_from_db()
    assert case.status == status
    assert not AuditEvent.objects.filter(action=f"sar.case.{step}").exists()


def test_a_step_from_the_wrong_status_shows_why(staff_client, caseworker, case):
    put_case_in(case, S.IN_PROGRESS)

    response = staff_client(caseworker).post(step_url(case, "release"), {"reason": ""})

    assert response.status_code == 200
    assert shows(
        response,
        messages.INVALID_TRANSITION.format(
            status="In progress", action="record that the records were given"
        ),
    )
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS


def test_an_approver_cannot_approve_what_they_submitted(staff_client, make_user, case):
    both = make_user(roles.CASEWORKER, roles.APPROVER)
    put_case_in(case, S.IN_REVIEW)
    client = staff_client(both)
    client.post(step_url(case, "submit_for_approval"), {"reason": ""})
    case.refresh_from_db()
    assert case.status == S.AWAITING_APPROVAL
    assert not has_button(client, case, "approve")
    assert has_button(client, case, "return")

    response = client.post(step_url(case, "approve"), {"reason": ""})

    assert response.status_code == 200
    assert shows(response, messages.APPROVER_IS_PREPARER)
    case.refresh_from_db()
    assert case.status == S.AWAITING_APPROVAL and case.approved_by is None


def test_a_step_that_needs_a_reason_says_so_and_keeps_the_case_as_it_was(
    staff_client, caseworker, case
):
    response = staff_client(caseworker).post(step_url(case, "request_evidence"), {"reason": "  "})

    assert response.status_code == 200
    assert shows(response, messages.REASON_REQUIRED)
    case.refresh_from_db()
    assert case.status == S.SUBMITTED


def test_approving_a_childs_records_without_their_views_shows_the_rule(
    staff_client, approver, preparer, submit, child_aged
):
    child = child_aged(13, on=datetime.date.today(), days=30)
    case = submit(about_requester=False, children=[child]).cases.get()
    put_case_in(case, S.AWAITING_APPROVAL, preparer=preparer)

    response = staff_client(approver).post(step_url(case, "approve"), {"reason": ""})

    assert shows(response, messages.COMPETENCE_NOT_RECORDED)
    assert SubjectCase.objects.get(pk=case.pk).status == S.AWAITING_APPROVAL


def test_evidence_dated_in_the_future_is_refused_with_the_rule(staff_client, caseworker, case):
    put_case_in(case, S.AWAITING_EVIDENCE)
    tomorrow = deadlines.today() + datetime.timedelta(days=1)

    response = staff_client(caseworker).post(
        step_url(case, "receive_evidence"), {"received_on": tomorrow.isoformat()}
    )

    assert shows(response, messages.EVIDENCE_DATE_IN_FUTURE)


def test_extending_after_the_due_date_is_refused_with_the_rule(staff_client, caseworker, submit):
    case = submit(received_at=timezone.now() - datetime.timedelta(days=70)).cases.get()

    response = staff_client(caseworker).post(
        step_url(case, "extend"), {"months": "1", "reason": "Complex."}
    )

    assert shows(response, deadlines.EXTENSION_TOO_LATE)
    case.request.refresh_from_db()
    assert case.request.extension_months == 0


def test_assigning_to_someone_who_is_not_a_caseworker_is_refused(
    staff_client, caseworker, approver, case
):
    # The form only offers caseworkers; anyone else is not a valid choice.
    response = staff_client(caseworker).post(step_url(case, "assign"), {"assignee": approver.pk})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_to is None
