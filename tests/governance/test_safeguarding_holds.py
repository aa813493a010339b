"""Safeguarding holds: "The only exception to confidentiality is ... a child is
at risk". Only a safeguarding lead places or lifts one, with a reason and the
exemption relied on; while it stands nothing is approved, released, booked or
downloaded, a booked appointment is cancelled with the ordinary words, and the
parent's pages read exactly as for work in progress. A hold on a service case
holds every open case of the family and every new one. Every step is audited."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from appointments.booking import NOT_BOOKABLE, NotBookable, slot_book
from appointments.models import Booking, BookingStatus, Location, LocationKind, StaffMember
from portal.audit.events import verify_chain
from portal.audit.models import AuditEvent
from sar import roles, safeguarding
from sar.exceptions import InvalidTransition, NotPermitted, RuleViolation
from sar.models import CaseStatus, Delivery, HoldExemption, SafeguardingHold
from sar.workflow import case_approve, case_lift_hold, case_place_hold, case_start
from sar.workflow.table import WORKING_LABEL
from tests.sar.admin_support import case_url, shows
from tests.sar.factories import ChildFactory
from tests.sar.steps import put_case_in
from tests.sar.views.journey import url

pytestmark = pytest.mark.django_db

EXEMPTION = HoldExemption.EDUCATION_SERIOUS_HARM
REASON = "The school reported a disclosure by Robin Example on 3 March."
DECISION = "Strategy meeting held; release can go ahead with redactions."


def hold_on(case, lead, **kwargs):
    return safeguarding.hold_place_on_case(
        subject_case=case, actor=lead, reason=REASON, exemption=EXEMPTION, **kwargs
    )


@pytest.fixture
def case(submit):
    return submit().cases.get()


# Placing and lifting ------------------------------------------------------------


def test_a_lead_places_a_hold_with_reason_and_exemption_and_it_is_audited(
    case, safeguarding_lead, django_capture_on_commit_callbacks, mailoutbox
):
    put_case_in(case, CaseStatus.IN_PROGRESS)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        hold = hold_on(case, safeguarding_lead)

    case.refresh_from_db()
    assert (case.status, case.held_from_status) == (CaseStatus.ON_HOLD, CaseStatus.IN_PROGRESS)
    hold.refresh_from_db()
    assert hold.reason == REASON
    assert hold.exemption == EXEMPTION
    assert hold.placed_by == safeguarding_lead
    assert list(hold.cases.all()) == [case]
    # No email: the parent hears nothing.
    assert mailoutbox == []
    placed = AuditEvent.objects.get(action="sar.hold.placed")
    assert placed.actor == safeguarding_lead
    assert placed.data["cases"] == [case.pk]
    assert placed.data["exemption"] == EXEMPTION
    step = AuditEvent.objects.get(action="sar.case.place_hold")
    assert step.data["hold"] == hold.pk
    # The reason is in neither the trail nor the timeline: only on the hold.
    assert not AuditEvent.objects.filter(reason__contains="Robin").exists()
    assert "Robin" not in "".join(case.request.timeline.values_list("message", flat=True))


def test_the_reason_and_decision_are_encrypted_at_rest(case, safeguarding_lead):
    put_case_in(case, CaseStatus.IN_PROGRESS)
    hold = hold_on(case, safeguarding_lead)
    safeguarding.hold_lift(hold=hold, actor=safeguarding_lead, decision=DECISION)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reason, decision FROM sar_safeguardinghold WHERE id = %s", [hold.pk])
        reason, decision = (bytes(v) for v in cursor.fetchone())
    assert b"Robin" not in reason
    assert b"Strategy" not in decision


@pytest.mark.parametrize("who", ["caseworker", "approver", "administrator", "parent"])
def test_only_a_safeguarding_lead_may_place_or_lift_a_hold(
    who, request, case, safeguarding_lead, service_case
):
    actor = request.getfixturevalue(who)
    put_case_in(case, CaseStatus.IN_PROGRESS)

    with pytest.raises(NotPermitted):
        hold_on(case, actor)
    with pytest.raises(NotPermitted):
        safeguarding.hold_place_on_service_case(
            service_case=service_case, actor=actor, reason=REASON, exemption=EXEMPTION
        )
    hold = hold_on(case, safeguarding_lead)
    with pytest.raises(NotPermitted):
        safeguarding.hold_lift(hold=hold, actor=actor, decision=DECISION)

    case.refresh_from_db()
    assert case.status == CaseStatus.ON_HOLD
    assert SafeguardingHold.objects.get().is_standing


def test_a_lead_cannot_hold_or_lift_their_own_case(make_user, submit):
    lead = make_user(roles.SAFEGUARDING_LEAD)
    own = submit(lead).cases.get()

    with pytest.raises(NotPermitted):
        hold_on(own, lead)


def test_a_hold_needs_a_reason_and_a_real_exemption(case, safeguarding_lead):
    with pytest.raises(RuleViolation, match="reason"):
        safeguarding.hold_place_on_case(
            subject_case=case, actor=safeguarding_lead, reason="  ", exemption=EXEMPTION
        )
    with pytest.raises(RuleViolation) as error:
        safeguarding.hold_place_on_case(
            subject_case=case, actor=safeguarding_lead, reason=REASON, exemption="made_up"
        )
    assert error.value.message == safeguarding.EXEMPTION_REQUIRED
    assert not SafeguardingHold.objects.exists()


def test_the_exemptions_name_the_schedule_3_paragraphs():
    labels = " ".join(str(label) for label in HoldExemption.labels)

    for paragraph in (
        "Sch 3 Pt 2 para 5",
        "Sch 3 Pt 3 para 11",
        "Sch 3 Pt 4 para 19",
        "Sch 3 Pt 5 para 21",
    ):
        assert paragraph in labels


def test_lifting_needs_a_recorded_decision_and_restores_the_case(case, safeguarding_lead):
    put_case_in(case, CaseStatus.IN_REVIEW)
    hold = hold_on(case, safeguarding_lead)

    with pytest.raises(RuleViolation) as error:
        safeguarding.hold_lift(hold=hold, actor=safeguarding_lead, decision=" ")
    assert error.value.message == safeguarding.DECISION_REQUIRED
    case.refresh_from_db()
    assert case.status == CaseStatus.ON_HOLD

    safeguarding.hold_lift(hold=hold, actor=safeguarding_lead, decision=DECISION)

    hold.refresh_from_db()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert (hold.lifted_by, hold.decision) == (safeguarding_lead, DECISION)
    assert hold.lifted_at is not None
    lifted = AuditEvent.objects.get(action="sar.hold.lifted")
    assert lifted.data["cases_released"] == [case.pk]
    assert AuditEvent.objects.filter(action="sar.case.lift_hold").count() == 1
    with pytest.raises(RuleViolation) as again:
        safeguarding.hold_lift(hold=hold, actor=safeguarding_lead, decision=DECISION)
    assert again.value.message == safeguarding.ALREADY_LIFTED
    assert verify_chain().ok


def test_a_finished_or_already_held_case_cannot_be_held_again(case, safeguarding_lead):
    put_case_in(case, CaseStatus.IN_PROGRESS)
    hold_on(case, safeguarding_lead)

    with pytest.raises(InvalidTransition):
        hold_on(case, safeguarding_lead)
    put_case_in(case, CaseStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        hold_on(case, safeguarding_lead)


# A whole service case ----------------------------------------------------------


def test_a_service_case_hold_holds_every_open_case_and_every_new_one(
    submit, parent, safeguarding_lead, service_case, other_parent
):
    first = submit(children=[ChildFactory(parent=parent)])
    mine, child = first.cases.order_by("id")
    put_case_in(mine, CaseStatus.IN_PROGRESS)
    put_case_in(child, CaseStatus.APPROVED)
    closed = put_case_in(submit().cases.get(), CaseStatus.CLOSED)
    someone_else = submit(other_parent).cases.get()

    hold = safeguarding.hold_place_on_service_case(
        service_case=service_case, actor=safeguarding_lead, reason=REASON, exemption=EXEMPTION
    )

    for held in (mine, child):
        held.refresh_from_db()
        assert held.status == CaseStatus.ON_HOLD
    closed.refresh_from_db()
    someone_else.refresh_from_db()
    assert closed.status == CaseStatus.CLOSED
    assert someone_else.status == CaseStatus.SUBMITTED
    assert set(hold.cases.all()) == {mine, child}

    # A request made while the hold stands starts on hold.
    new = submit().cases.get()
    assert (new.status, new.held_from_status) == (CaseStatus.ON_HOLD, CaseStatus.SUBMITTED)
    assert new in hold.cases.all()
    assert AuditEvent.objects.filter(
        action="sar.case.place_hold", object_id=str(new.pk), actor__isnull=True
    ).exists()

    safeguarding.hold_lift(hold=hold, actor=safeguarding_lead, decision=DECISION)

    for released in (mine, child, new):
        released.refresh_from_db()
    assert [mine.status, child.status, new.status] == [
        CaseStatus.IN_PROGRESS,
        CaseStatus.APPROVED,
        CaseStatus.SUBMITTED,
    ]
    # Once lifted, new requests start as usual.
    assert submit().cases.get().status == CaseStatus.SUBMITTED


def test_lifting_one_hold_leaves_a_case_another_hold_still_covers(
    case, safeguarding_lead, service_case
):
    put_case_in(case, CaseStatus.IN_PROGRESS)
    own = hold_on(case, safeguarding_lead)
    family = safeguarding.hold_place_on_service_case(
        service_case=service_case, actor=safeguarding_lead, reason=REASON, exemption=EXEMPTION
    )
    assert case in family.cases.all()

    safeguarding.hold_lift(hold=family, actor=safeguarding_lead, decision=DECISION)
    case.refresh_from_db()
    assert case.status == CaseStatus.ON_HOLD

    safeguarding.hold_lift(hold=own, actor=safeguarding_lead, decision=DECISION)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_placing_from_a_case_can_hold_the_whole_service_case(
    case, safeguarding_lead, service_case, submit
):
    put_case_in(case, CaseStatus.IN_PROGRESS)

    case_place_hold(
        case=case,
        actor=safeguarding_lead,
        reason=REASON,
        exemption=EXEMPTION,
        whole_service_case=True,
    )

    hold = SafeguardingHold.objects.get()
    assert hold.service_case == service_case
    assert submit().cases.get().status == CaseStatus.ON_HOLD
    # Lifting from any case it holds lifts that hold.
    case_lift_hold(case=case, actor=safeguarding_lead, reason=DECISION)
    hold.refresh_from_db()
    assert not hold.is_standing


# While held -----------------------------------------------------------------------


def test_nothing_is_approved_while_held(case, safeguarding_lead, approver, preparer):
    put_case_in(case, CaseStatus.AWAITING_APPROVAL, preparer=preparer)
    hold_on(case, safeguarding_lead)

    with pytest.raises(InvalidTransition):
        case_approve(case=case, actor=approver)
    case.refresh_from_db()
    assert safeguarding.case_release_blocked(case)


@pytest.fixture
def office(db):
    return Location.objects.create(
        name="Civic Centre, Room 2",
        kind=LocationKind.OFFICE,
        address="Civic Centre\nHigh Street\nExampletown EX1 2MP",
    )


@pytest.fixture
def booked(submit, parent, office, make_user):
    """A request to view records at an appointment, booked for next week."""
    access_request = submit(delivery=Delivery.APPOINTMENT)
    staff = StaffMember.objects.create(user=make_user(roles.CASEWORKER))
    start = (timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)
    return Booking.objects.create(
        request=access_request,
        location=office,
        staff=staff,
        start=start,
        end=start + datetime.timedelta(hours=1),
        booked_by=parent,
    )


def test_a_hold_cancels_a_booked_appointment_with_the_ordinary_words(
    booked, safeguarding_lead, django_capture_on_commit_callbacks, mailoutbox
):
    case = booked.request.cases.get()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        hold_on(case, safeguarding_lead)

    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED
    assert booked.cancel_reason == safeguarding.BOOKING_CANCEL_REASON
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Your appointment is cancelled")
    words = f"{mailoutbox[0].subject} {mailoutbox[0].body}".lower()
    for tell in ("hold", "safeguarding", "concern", "robin"):
        assert tell not in words
    assert "hold" not in booked.cancel_reason.lower()
    assert "safeguarding" not in booked.cancel_reason.lower()


def test_no_appointment_can_be_booked_while_held(booked, safeguarding_lead, parent, office):
    access_request = booked.request
    hold_on(access_request.cases.get(), safeguarding_lead)

    with pytest.raises(NotBookable) as error:
        slot_book(
            access_request=access_request,
            location=office,
            start=booked.start + datetime.timedelta(days=1),
            actor=parent,
        )
    assert error.value.message == NOT_BOOKABLE


# What the parent sees -------------------------------------------------------------


def _main(response, *replace: str) -> str:
    """The page's main content, with what differs between two people's
    requests (references, dates of receipt) blanked."""
    html = response.content.decode()
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    for value in replace:
        main = main.replace(value, "X")
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)
    return re.sub(r"\s+", " ", main)


def test_the_parent_pages_of_a_held_case_read_exactly_as_work_in_progress(
    parent, other_parent, parent_client, other_client, submit, caseworker, safeguarding_lead
):
    working = submit(parent).cases.get()
    held = submit(other_parent).cases.get()
    for case in (working, held):
        case_start(case=case, actor=caseworker)
    hold_on(held, safeguarding_lead)
    # Same times on both timelines, so only the reference differs.
    for case in (working, held):
        case.request.timeline.update(at=timezone.now().replace(microsecond=0))

    for name in ("requests", "request_detail"):
        pages = []
        for client, case in ((parent_client, working), (other_client, held)):
            args = (case.request.reference,) if name == "request_detail" else ()
            pages.append(_main(client.get(url(name, *args)), case.request.reference))
        assert pages[0] == pages[1], name
        assert WORKING_LABEL in pages[1]
        # ("Everything you hold" is the scope the parent chose, on both.)
        for tell in (r"on hold", r"\bheld\b", "safeguarding", "exemption", "Robin"):
            assert not re.search(tell, pages[1], re.I)


# The admin: report, placing, lifting ------------------------------------------------


def test_the_report_lists_standing_holds_with_their_age_for_leads_and_administrators(
    staff_client, submit, safeguarding_lead, administrator, caseworker, approver, service_case
):
    old_case = put_case_in(submit().cases.get(), CaseStatus.IN_PROGRESS)
    old = hold_on(old_case, safeguarding_lead)
    SafeguardingHold.objects.filter(pk=old.pk).update(
        placed_at=timezone.now() - datetime.timedelta(days=40)
    )
    lifted_case = put_case_in(submit().cases.get(), CaseStatus.IN_PROGRESS)
    lifted = hold_on(lifted_case, safeguarding_lead)
    safeguarding.hold_lift(hold=lifted, actor=safeguarding_lead, decision=DECISION)
    family = safeguarding.hold_place_on_service_case(
        service_case=service_case, actor=safeguarding_lead, reason=REASON, exemption=EXEMPTION
    )
    report = reverse("sar_admin:holds")

    for viewer in (safeguarding_lead, administrator):
        page = staff_client(viewer).get(report).content.decode()
        assert f"Hold {old.pk}" in page
        assert f"Hold {family.pk}" in page
        assert f"Hold {lifted.pk}<" not in page
        assert "40" in page  # days
        assert "Sch 3 Pt 4 para 19" in page
        # Names nobody, and no reasons in the list.
        assert "Robin" not in page
    with_lifted = staff_client(safeguarding_lead).get(f"{report}?lifted=on").content.decode()
    assert f"Hold {lifted.pk}" in with_lifted
    # Oldest first by default; the other way round on request.
    assert page.index(f"Hold {old.pk}") < page.index(f"Hold {family.pk}")
    newest_first = staff_client(administrator).get(f"{report}?ordering=held_for").content.decode()
    assert newest_first.index(f"Hold {family.pk}") < newest_first.index(f"Hold {old.pk}")

    for viewer in (caseworker, approver):
        response = staff_client(viewer).get(report)
        assert response.status_code in (302, 403)
        assert f"Hold {old.pk}" not in response.content.decode()
    assert (
        "sar-holds"
        in staff_client(administrator).get(reverse("wagtailadmin_home")).content.decode()
    )
    assert (
        "sar-holds"
        not in staff_client(caseworker).get(reverse("wagtailadmin_home")).content.decode()
    )


def test_reading_a_hold_shows_its_reason_and_is_audited(
    staff_client, case, safeguarding_lead, administrator, caseworker
):
    put_case_in(case, CaseStatus.IN_PROGRESS)
    hold = hold_on(case, safeguarding_lead)
    hold_url = reverse("sar_admin:hold", args=[hold.pk])

    page = staff_client(administrator).get(hold_url)

    assert shows(page, REASON)
    assert "Lift the hold" not in page.content.decode()  # administrators only read
    event = AuditEvent.objects.get(action="sar.hold.viewed")
    assert event.actor == administrator
    assert event.reason == "Reviewing a safeguarding hold"
    assert staff_client(caseworker).get(hold_url).status_code in (302, 403)


def test_a_lead_holds_a_service_case_and_lifts_it_through_the_admin(
    staff_client, safeguarding_lead, administrator, service_case, submit
):
    case = put_case_in(submit().cases.get(), CaseStatus.IN_PROGRESS)
    lead = staff_client(safeguarding_lead)
    form_url = reverse("sar_admin:hold_service_case")

    assert shows(lead.get(form_url), str(service_case))
    empty = lead.post(form_url, {"service_case": service_case.pk})
    assert shows(empty, safeguarding.EXEMPTION_REQUIRED)
    assert shows(empty, safeguarding.REASON_REQUIRED)
    response = lead.post(
        form_url, {"service_case": service_case.pk, "exemption": EXEMPTION, "reason": REASON}
    )

    hold = SafeguardingHold.objects.get()
    assert response["Location"] == reverse("sar_admin:hold", args=[hold.pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.ON_HOLD
    assert staff_client(administrator).get(form_url).status_code in (302, 403)
    lift_url = reverse("sar_admin:hold_lift", args=[hold.pk])
    assert staff_client(administrator).post(lift_url, {"decision": DECISION}).status_code in (
        302,
        403,
    )
    hold.refresh_from_db()
    assert hold.is_standing

    refused = lead.post(lift_url, {"decision": ""})
    assert shows(refused, safeguarding.DECISION_REQUIRED)
    lead.post(lift_url, {"decision": DECISION})

    hold.refresh_from_db()
    case.refresh_from_db()
    assert not hold.is_standing
    assert case.status == CaseStatus.IN_PROGRESS


def test_the_case_page_offers_the_hold_with_its_exemptions_to_the_lead_only(
    staff_client, case, safeguarding_lead, caseworker, service_case
):
    put_case_in(case, CaseStatus.IN_PROGRESS)
    form = staff_client(safeguarding_lead).get(
        reverse("sar_admin:case_step", args=[case.pk, "place_hold"])
    )
    assert shows(form, str(HoldExemption.CHILD_ABUSE.label))
    assert shows(form, str(service_case))
    assert (
        'data-step="place_hold"'
        not in staff_client(caseworker).get(case_url(case)).content.decode()
    )
