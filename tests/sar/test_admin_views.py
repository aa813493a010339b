"""The staff side in the Wagtail admin: who may open it, the caseworker
dashboard (counts, filters, sorting, pages, no names in the list), and the
case page (what it shows, and that opening it is an audit event)."""

import datetime
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from sar import roles
from sar.admin_views.access import CASE_VIEW_PURPOSE
from sar.admin_views.dashboard import CaseListView
from sar.models import CaseStatus
from sar.wagtail_hooks import register_requests_menu
from sar.workflow import case_assign, case_request_clarification, case_start, request_extend
from tests.sar.admin_support import (  # noqa: F401
    case_url,
    dashboard_url,
    staff_client_fixture,
    step_url,
)
from tests.sar.steps import EXEMPTION, put_case_in

pytestmark = pytest.mark.django_db

CHILD_NAME = "Zebedee Quintrell-Hartley"


def on(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{day}T12:00:00+00:00"), tick=False)


def listed(response) -> list:
    return list(response.context["object_list"])


@pytest.fixture
def case(submit):
    return submit().cases.get()


# Who may enter ---------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [roles.CASEWORKER, roles.APPROVER, roles.SAFEGUARDING_LEAD, roles.ADMINISTRATOR]
)
def test_the_requests_menu_and_dashboard_open_for_staff_who_work_on_requests(
    make_user, staff_client, role
):
    client = staff_client(make_user(role))

    response = client.get(dashboard_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # personal data is never cached
    assert "Case dashboard" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_requests_menu_is_hidden_from_a_content_editor_and_shown_to_a_superuser(
    make_user, superuser
):
    menu = register_requests_menu()
    editor = make_user("Content editor")

    assert not menu.is_shown(SimpleNamespace(user=editor))
    assert menu.is_shown(SimpleNamespace(user=superuser))


def test_a_content_editor_is_refused_every_staff_case_screen(make_user, staff_client, case, parent):
    client = staff_client(make_user("Content editor"))
    home = reverse("wagtailadmin_home")

    for url in (
        dashboard_url(),
        case_url(case),
        step_url(case, "start"),
        reverse("sar_admin:consents"),
        reverse("sar_admin:parent_consents", args=[parent.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == home, url
    response = client.post(step_url(case, "start"), {"reason": ""})
    assert response["Location"] == home
    assert "Case dashboard" not in client.get(home).content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action="sar.case.viewed").exists()


def test_a_verified_parent_never_reaches_the_staff_screens(staff_client, parent, case):
    parent.email_verified_at = timezone.now()
    parent.save(update_fields=["email_verified_at"])
    client = staff_client(parent)

    for url in (dashboard_url(), case_url(case), reverse("sar_admin:consents")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert urlparse(response["Location"]).path == reverse("accounts:sign_in")
    response = client.post(step_url(case, "start"), {"reason": ""})
    assert urlparse(response["Location"]).path == reverse("accounts:sign_in")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_a_signed_out_visitor_is_sent_to_sign_in(client, case):
    response = client.get(case_url(case))

    assert response.status_code == 302
    assert urlparse(response["Location"]).path == reverse("accounts:sign_in")


def test_staff_without_a_verified_second_factor_are_sent_to_the_challenge(client, caseworker, case):
    from tests.portal.accounts.factories import add_totp, sign_in_password_only

    add_totp(caseworker)
    sign_in_password_only(client, caseworker)

    response = client.get(case_url(case))

    assert urlparse(response["Location"]).path == reverse("accounts:challenge")


# The dashboard ----------------------------------------------------------------


@pytest.fixture
def dashboard(make_user, submit, caseworker, preparer, safeguarding_lead):
    """Requests received at different times, to be seen on 1 March 2027."""
    requester = make_user()
    with on("2027-01-20"):
        overdue = submit(requester).cases.get()  # due 22 Feb
    with on("2027-02-03"):
        due_soon = submit(requester).cases.get()  # due 3 March
        paused = submit(requester).cases.get()
        case_request_clarification(case=paused, actor=caseworker, reason="Which?")
    with on("2027-02-20"):
        extended = submit(requester).cases.get()  # due 20 April
        request_extend(request=extended.request, actor=caseworker, months=1, reason="Complex.")
        awaiting = submit(requester).cases.get()  # due 22 March
        put_case_in(awaiting, CaseStatus.AWAITING_APPROVAL, preparer=preparer)
        held = submit(requester).cases.get()
        put_case_in(held, CaseStatus.ON_HOLD)
        done = submit(requester).cases.get()
        put_case_in(done, CaseStatus.RELEASED)
    case_assign(case=overdue, actor=caseworker, assignee=preparer)
    case_assign(case=due_soon, actor=caseworker, assignee=caseworker)
    case_start(case=due_soon, actor=caseworker)
    return SimpleNamespace(
        overdue=overdue,
        due_soon=due_soon,
        paused=paused,
        extended=extended,
        awaiting=awaiting,
        held=held,
        done=done,
    )


def counts(response) -> dict:
    return {str(tile["label"]): tile["count"] for tile in response.context["count_tiles"]}


def test_the_dashboard_counts_what_needs_attention(dashboard, staff_client, caseworker):
    with on("2027-03-01"):
        response = staff_client(caseworker).get(dashboard_url())

    assert counts(response) == {
        "Overdue": 1,
        "Due in 7 days": 1,
        "Paused for clarification": 1,
        "Extended": 1,
        "Awaiting approval": 1,
    }


def test_only_the_safeguarding_lead_and_administrators_see_holds(
    dashboard, staff_client, caseworker, safeguarding_lead, make_user
):
    with on("2027-03-01"):
        for person in (safeguarding_lead, make_user(roles.ADMINISTRATOR)):
            response = staff_client(person).get(dashboard_url())
            assert counts(response)["On safeguarding hold"] == 1
            assert dashboard.held in listed(response)
        response = staff_client(caseworker).get(dashboard_url())
        held_page = staff_client(caseworker).get(case_url(dashboard.held))

    assert "On safeguarding hold" not in counts(response)
    assert dashboard.held not in listed(response)
    assert held_page.status_code == 404


def test_the_case_list_is_open_cases_most_urgent_first(dashboard, staff_client, caseworker):
    with on("2027-03-01"):
        client = staff_client(caseworker)
        default = listed(client.get(dashboard_url()))
        latest_first = listed(client.get(dashboard_url(ordering="-due")))

    d = dashboard
    assert default[:2] == [d.overdue, d.due_soon]
    assert default[-1] == d.extended
    assert d.done not in default
    dues = [c.request.due_on for c in default]
    assert dues == sorted(dues)
    assert [c.request.due_on for c in latest_first] == sorted(dues, reverse=True)


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"caseworker": "me"}, ["due_soon"]),
        ({"caseworker": "unassigned"}, ["paused", "awaiting", "extended"]),
        ({"status": CaseStatus.AWAITING_APPROVAL}, ["awaiting"]),
        ({"status": [CaseStatus.RELEASED, CaseStatus.IN_PROGRESS]}, ["due_soon", "done"]),
        ({"clock": "overdue"}, ["overdue"]),
        ({"clock": "due_within_7_days"}, ["due_soon"]),
        ({"clock": "paused"}, ["paused"]),
        ({"clock": "extended"}, ["extended"]),
        ({"caseworker": "me", "clock": "overdue"}, []),
    ],
)
def test_the_case_list_filters(dashboard, staff_client, caseworker, query, expected):
    with on("2027-03-01"):
        client = staff_client(caseworker)
        page = listed(client.get(dashboard_url(**query)))
        results = listed(client.get(dashboard_url(results_only=True, **query)))

    want = [getattr(dashboard, name) for name in expected]
    assert page == want
    assert results == want


def test_the_case_list_filters_by_a_named_caseworker(dashboard, staff_client, caseworker, preparer):
    with on("2027-03-01"):
        response = staff_client(caseworker).get(dashboard_url(caseworker=preparer.pk))

    assert listed(response) == [dashboard.overdue]
    assert "Overdue by 7 days" in response.content.decode()


def test_the_case_list_is_paginated(dashboard, staff_client, caseworker, monkeypatch):
    monkeypatch.setattr(CaseListView, "paginate_by", 2)
    with on("2027-03-01"):
        client = staff_client(caseworker)
        first = client.get(dashboard_url())
        second = client.get(dashboard_url(p=2))

    assert len(listed(first)) == 2
    assert listed(second)[0] == dashboard.paused
    assert first.context["paginator"].count == 5


def test_the_case_list_names_nobody(submit, parent, child_aged, staff_client, caseworker):
    today = datetime.date.today()
    child = child_aged(12, on=today, days=30, full_name=CHILD_NAME)
    submit(children=[child])

    page = staff_client(caseworker).get(dashboard_url()).content.decode()

    assert "Child (12)" in page
    assert "Requester" in page
    assert CHILD_NAME not in page
    assert parent.get_full_name() not in page
    assert parent.email not in page


# The case page ----------------------------------------------------------------


def test_opening_a_case_is_an_audit_event_with_its_purpose(staff_client, caseworker, case):
    response = staff_client(caseworker).get(case_url(case))

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="sar.case.viewed")
    assert event.actor == caseworker
    assert (event.object_type, event.object_id) == ("sar.subjectcase", str(case.pk))
    assert event.reason == CASE_VIEW_PURPOSE
    assert event.data == {"request": case.request.reference}


def test_the_case_page_shows_the_request_the_subject_the_answers_and_the_clock(
    submit, parent, child_aged, staff_client, caseworker
):
    child = child_aged(13, on=datetime.date.today(), days=30, full_name=CHILD_NAME)
    request = submit(
        children=[child],
        scope="specific",
        topics="Annual review meetings",
        adjustments=["large_print", "interpreter"],
        interpreter_language="Polish",
    )
    case = request.cases.get(child=child)

    page = staff_client(caseworker).get(case_url(case)).content.decode()

    for words in (
        request.reference,
        CHILD_NAME,
        "Child (13)",
        "Needed before release (12 or over)",
        "Annual review meetings",
        "Large print, An interpreter",
        "Polish",
        "A copy to download",
        "Clock started",
        f"{request.due_on.day} {request.due_on:%B %Y}",
        parent.email,
        "We received your request",
    ):
        assert words in page, words
    # The other person on the request links to their own case.
    assert case_url(request.cases.get(child__isnull=True)) in page


def test_a_member_of_staff_cannot_open_a_case_on_their_own_request(
    submit, staff_client, caseworker
):
    own = submit(caseworker).cases.get()

    assert staff_client(caseworker).get(case_url(own)).status_code == 404


def test_the_timeline_marks_staff_only_entries_and_hides_holds_from_caseworkers(
    submit, staff_client, caseworker, approver, safeguarding_lead, preparer
):
    case = submit().cases.get()
    put_case_in(case, CaseStatus.AWAITING_APPROVAL, preparer=preparer)
    staff_client(approver).post(step_url(case, "return"), {"reason": "Redact page three."})
    lead = staff_client(safeguarding_lead)
    lead.post(
        step_url(case, "place_hold"),
        {"reason": "A concern raised by the school.", "exemption": EXEMPTION, "scope": "case"},
    )
    lead.post(step_url(case, "lift_hold"), {"reason": "Concern resolved."})

    caseworker_page = staff_client(caseworker).get(case_url(case)).content.decode()
    lead_page = lead.get(case_url(case)).content.decode()

    assert "Staff only" in caseworker_page
    assert "Redact page three." in caseworker_page
    assert "Safeguarding hold" not in caseworker_page
    assert "A concern raised by the school." not in caseworker_page
    # The lead's timeline names the hold; its reason and the decision stay
    # encrypted on the hold itself (tests/governance/test_safeguarding_holds.py).
    assert "placed. Exemption relied on" in lead_page
    assert "lifted. Exemption relied on" in lead_page
    assert "A concern raised by the school." not in lead_page


def test_a_step_that_is_not_offered_sends_the_form_back_to_the_case(staff_client, caseworker, case):
    client = staff_client(caseworker)

    response = client.get(step_url(case, "release"), follow=True)

    assert response.redirect_chain[-1][0] == case_url(case)
    assert "is not available for this case now" in response.content.decode()


def test_an_unknown_step_is_404(staff_client, caseworker, case):
    client = staff_client(caseworker)

    assert client.get(step_url(case, "withdraw")).status_code == 404
    assert client.post(step_url(case, "delete"), {}).status_code == 404
