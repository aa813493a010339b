"""The staff forms in the Wagtail admin posted with hostile input
(tests/security/fuzzing.py): the steps on a case, recording a consent to
disclose, resetting a person's lost factors, cancelling an appointment, the
locations, closures (added and changed), staff and their weekly hours, and
the booking rules; and the admin's search and filter addresses. Never a
server error; accepted (a redirect), or the form again with Wagtail's error
messages and nothing stored."""

import datetime
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from appointments.models import (
    Booking,
    BookingSettings,
    BookingStatus,
    Closure,
    Location,
    StaffMember,
)
from appointments.selectors import free_slots
from content.models import ContactDetails
from portal.accounts.models import RecoveryRequest
from portal.audit.models import AuditEvent
from sar.admin_views.cases import STEP_FUNCTIONS
from sar.models import CaseStatus, ConsentToDisclose, TimelineEntry
from tests.security.fuzzing import (
    FUZZ,
    any_text,
    choice_or_nasty,
    cleaned,
    nasty_text,
    outcome,
    plausible_text,
    snapshot,
    undone,
)
from tests.security.world import (
    APPROVER,
    CASEWORKER,
    PARENT,
    SAFEGUARDING_LEAD,
    SUPERUSER,
    add_superuser,
    module_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as built:
        add_superuser(built)
        yield built


def dates():
    """A date as the admin's date picker posts it, or anything else."""
    return st.one_of(
        st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date.today()).map(str),
        st.dates().map(str),
        nasty_text(30),
    )


NUMBER = st.one_of(st.integers(-(2**40), 2**40).map(str), nasty_text(12))


def child_case(world):
    """The world's request has a case about the parent (waiting for their
    answer) and one about their child, just submitted."""
    return world.access_request.cases.exclude(pk=world.case.pk).get()


# Steps on a case -----------------------------------------------------------------

REASON_STEPS = [
    (CASEWORKER, "request_evidence"),
    (CASEWORKER, "request_clarification"),
    (APPROVER, "refuse"),
    (SAFEGUARDING_LEAD, "place_hold"),
    (CASEWORKER, "start"),
]


@pytest.mark.parametrize(("role", "step"), REASON_STEPS)
@FUZZ
@given(reason=st.one_of(any_text(), nasty_text(5100)))
def test_a_step_with_a_reason(world, role, step, reason):
    case = child_case(world)
    with undone():
        before = snapshot()
        response = world.client(role).post(
            reverse("sar_admin:case_step", args=[case.pk, step]), {"reason": reason}
        )

        if outcome(response, before=before, admin=True):
            moved = type(case).objects.get(pk=case.pk)
            assert moved.status != CaseStatus.SUBMITTED
            if cleaned(reason):
                # In the timeline when the parent reads it, else the audit trail.
                assert (
                    TimelineEntry.objects.filter(
                        kind=step, message__contains=cleaned(reason)
                    ).exists()
                    or AuditEvent.objects.filter(
                        action=f"sar.case.{step}", reason=cleaned(reason)
                    ).exists()
                )


@FUZZ
@given(
    months=choice_or_nasty(["1", "2"]),
    reason=st.one_of(any_text(), nasty_text(5100)),
)
def test_extending_the_time(world, months, reason):
    case = child_case(world)
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("sar_admin:case_step", args=[case.pk, "extend"]),
            {"months": months, "reason": reason},
        )

        if outcome(response, before=before, admin=True):
            request = type(world.access_request).objects.get(pk=world.access_request.pk)
            assert request.extension_months == int(months)


@FUZZ
@given(assignee=st.one_of(st.just("<caseworker>"), st.just(""), nasty_text(20)))
def test_assigning(world, assignee):
    if assignee == "<caseworker>":
        assignee = str(world.users[CASEWORKER].pk)
    case = child_case(world)
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("sar_admin:case_step", args=[case.pk, "assign"]), {"assignee": assignee}
        )

        if outcome(response, before=before, admin=True):
            assigned = type(case).objects.get(pk=case.pk).assigned_to_id
            assert str(assigned or "") == assignee


@FUZZ
@given(notes=st.one_of(any_text(), nasty_text(5100)), views=any_text())
@example(notes="  Understands, 12, wants Dad to see 🙂\r\n<b>ok</b> ", views="Yes\x01")
def test_recording_a_childs_views(world, notes, views):
    case = child_case(world)
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("sar_admin:case_step", args=[case.pk, "record_child_views"]),
            {"competence_notes": notes, "child_views": views},
        )

        if outcome(response, before=before, admin=True):
            stored = type(case).objects.get(pk=case.pk)
            assert stored.competence_notes == cleaned(notes)


@FUZZ
@given(
    step=st.from_regex(r"\A[-a-zA-Z0-9_]{1,40}\Z").filter(lambda s: s not in STEP_FUNCTIONS),
    reason=any_text(),
)
def test_a_step_that_does_not_exist(world, step, reason):
    case = child_case(world)
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("sar_admin:case_step", args=[case.pk, step]), {"reason": reason}
        )

        assert response.status_code == 404
        assert snapshot() == before


# Consents to disclose ---------------------------------------------------------------


@FUZZ
@given(
    given_by=any_text(),
    information=st.one_of(any_text(), nasty_text(5100)),
    recipient=st.one_of(any_text(), nasty_text(310)),
    purpose=any_text(),
    given_on=dates(),
    expires_on=st.one_of(st.just(""), dates()),
    method=choice_or_nasty(["written", "verbal", "electronic"]),
    child=st.one_of(st.just(""), st.just("<child>"), nasty_text(10)),
)
@example(
    given_by="  Mrs Ó'Brien (mother) ",
    information="Notes from 2023 👩\u200d👧",
    recipient="<script>alert(1)</script> School",
    purpose="Support\r\nplanning",
    given_on="2024-01-31",
    expires_on="",
    method="written",
    child="<child>",
)
def test_recording_a_consent(
    world, given_by, information, recipient, purpose, given_on, expires_on, method, child
):
    parent = world.users[PARENT]
    if child == "<child>":
        child = str(world.child.pk)
    with undone():
        made = set(ConsentToDisclose.objects.values_list("pk", flat=True))
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("sar_admin:consent_record", args=[parent.pk]),
            {
                "consent_given_by": given_by,
                "what_information": information,
                "recipient": recipient,
                "purpose": purpose,
                "given_on": given_on,
                "expires_on": expires_on,
                "method": method,
                "child": child,
            },
        )

        if outcome(response, before=before, admin=True):
            consent = ConsentToDisclose.objects.exclude(pk__in=made).get()
            assert consent.consent_given_by == cleaned(given_by)
            assert consent.recipient == cleaned(recipient)
            assert consent.what_information == cleaned(information)


@FUZZ
@given(email=st.one_of(st.just("<parent>"), st.emails(), nasty_text(60)))
def test_finding_a_person_by_email(world, email):
    if email == "<parent>":
        email = world.users[PARENT].email
    with undone():
        response = world.client(CASEWORKER).get(
            reverse("sar_admin:consents") + "?" + urlencode({"email": email})
        )

        assert response.status_code in (200, 302)


# Sign-in resets, appointments ---------------------------------------------------------


@FUZZ
@given(
    decision=choice_or_nasty(["complete", "refuse"]),
    identity_check=choice_or_nasty(["", "phone", "in_person", "video"]),
    notes=st.one_of(any_text(), nasty_text(2100)),
)
def test_resetting_lost_factors(world, decision, identity_check, notes):
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("accounts_recovery_detail", args=[world.recovery.pk]),
            {"decision": decision, "identity_check": identity_check, "notes": notes},
        )

        if outcome(response, before=before, admin=True):
            resolved = RecoveryRequest.objects.get(pk=world.recovery.pk)
            assert resolved.status != RecoveryRequest.Status.PENDING


@FUZZ
@given(reason=st.one_of(any_text(), nasty_text(5100)))
@example(reason="  Caseworker ill 🤒\r\n<i>sorry</i>\x01 ")
def test_cancelling_an_appointment(world, reason):
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("appointment_diary:cancel", args=[world.booking.pk]), {"reason": reason}
        )

        if outcome(response, before=before, admin=True):
            cancelled = Booking.objects.get(pk=world.booking.pk)
            assert cancelled.status == BookingStatus.CANCELLED
            assert cancelled.cancel_reason == cleaned(reason)


@FUZZ
@given(day=st.one_of(st.dates().map(str), nasty_text(30)))
@example(day="9999-12-31")
@example(day="0001-01-01")
def test_the_diary_on_any_day(world, day):
    with undone():
        client = world.client(CASEWORKER)
        for name, parameter in (("day", "date"), ("week", "start")):
            address = reverse(f"appointment_diary:{name}") + "?" + urlencode({parameter: day})
            assert client.get(address).status_code == 200


@FUZZ
@given(
    name=st.one_of(any_text(), nasty_text(110)),
    kind=choice_or_nasty(["office", "video", "phone"]),
    address=any_text(),
    instructions=st.one_of(any_text(), nasty_text(3000)),
)
@example(name="  Salle 3 — Mairie 🏛 ", kind="office", address="1 Rue\r\nParis", instructions="")
def test_adding_a_location(world, name, kind, address, instructions):
    with undone():
        made = set(Location.objects.values_list("pk", flat=True))
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("appointment_locations:add"),
            {
                "name": name,
                "kind": kind,
                "address": address,
                "instructions": instructions,
                "is_active": "on",
            },
        )

        if outcome(response, before=before, admin=True):
            location = Location.objects.exclude(pk__in=made).get()
            assert location.name == cleaned(name)


@FUZZ
@given(
    starts_on=dates(),
    ends_on=dates(),
    reason=st.one_of(any_text(), nasty_text(210)),
    location=st.one_of(st.just(""), st.just("<office>"), nasty_text(10)),
)
@example(starts_on="2030-01-02", ends_on="2030-01-01", reason="", location="")
def test_adding_a_closure(world, starts_on, ends_on, reason, location):
    if location == "<office>":
        location = str(world.location.pk)
    with undone():
        made = set(Closure.objects.values_list("pk", flat=True))
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("appointment_closures:add"),
            {
                "starts_on": starts_on,
                "ends_on": ends_on,
                "reason": reason,
                "location": location,
                "staff": "",
            },
        )

        if outcome(response, before=before, admin=True):
            closure = Closure.objects.exclude(pk__in=made).get()
            assert closure.ends_on >= closure.starts_on
            assert closure.reason == cleaned(reason)


@FUZZ
@given(
    starts_on=dates(),
    days=st.one_of(st.integers(0, 30), st.integers(-5, 5)),
    ends_on=st.one_of(st.none(), dates()),
    reason=st.one_of(plausible_text(), any_text(), nasty_text(210)),
    staff=st.one_of(st.just(""), st.just("<caseworker>"), nasty_text(10)),
)
@example(starts_on="2030-03-02", days=0, ends_on="2030-03-01", reason="Typo", staff="")
def test_changing_a_closure(world, starts_on, days, ends_on, reason, staff):
    # The last day as staff would give it (some days after the first), or anything.
    if ends_on is None:
        try:
            first = datetime.date.fromisoformat(starts_on)
            ends_on = str(first + datetime.timedelta(days=days))
        except (ValueError, OverflowError):
            ends_on = starts_on
    if staff == "<caseworker>":
        staff = str(world.staff_member.pk)
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("appointment_closures:edit", args=[world.closure.pk]),
            {
                "starts_on": starts_on,
                "ends_on": ends_on,
                "reason": reason,
                "location": "",
                "staff": staff,
            },
        )

        if outcome(response, before=before, admin=True):
            closure = Closure.objects.get(pk=world.closure.pk)
            assert closure.ends_on >= closure.starts_on
            assert closure.reason == cleaned(reason)
            assert str(closure.staff_id or "") == staff


# Staff and their weekly hours -------------------------------------------------------


def times():
    """A time as the admin's time picker posts it, or anything else."""
    return st.one_of(
        st.times().map(lambda at: at.strftime("%H:%M")),
        st.sampled_from(["00:00", "23:59", "24:00", "9:30", "09:30:00", "12", "01:30"]),
        nasty_text(12),
    )


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hour_rows(max_size: int = 3):
    """Rows of the weekly hours: at a location, on a day, from, until; as
    staff would fill them in, or anything."""
    typed = st.tuples(st.integers(0, 6), st.integers(0, 23 * 60), st.integers(1, 8 * 60)).map(
        lambda row: {
            "location": "<office>",
            "weekday": str(row[0]),
            "opens": _clock(row[1]),
            "closes": _clock(min(row[1] + row[2], 24 * 60 - 1)),
        }
    )
    anything = st.fixed_dictionaries(
        {
            "location": st.one_of(st.just("<office>"), st.just(""), nasty_text(10)),
            "weekday": choice_or_nasty([*map(str, range(7)), "7", "-1"]),
            "opens": times(),
            "closes": times(),
        }
    )
    return st.one_of(
        st.lists(typed, max_size=max_size),
        st.lists(st.one_of(typed, anything), max_size=max_size),
    )


def first_or_none(rows):
    return rows[0] if rows else None


def hours_data(world, *, existing, new, total) -> dict:
    """The inline hours as the admin posts them: the ``existing`` rows (each
    kept, changed, or deleted), then ``new`` ones; ``total`` forges the count."""
    data = {}
    for index, (row, change) in enumerate(existing):
        data |= {
            f"hours-{index}-id": str(row.pk),
            f"hours-{index}-location": str(row.location_id),
            f"hours-{index}-weekday": str(row.weekday),
            f"hours-{index}-opens": row.opens.strftime("%H:%M"),
            f"hours-{index}-closes": row.closes.strftime("%H:%M"),
        }
        if change == "delete":
            data[f"hours-{index}-DELETE"] = "on"
        elif change is not None:
            data |= {f"hours-{index}-{name}": value for name, value in change.items()}
    for index, row in enumerate(new, start=len(existing)):
        data[f"hours-{index}-id"] = ""
        data |= {f"hours-{index}-{name}": value for name, value in row.items()}
    for key, value in data.items():
        if value == "<office>":
            data[key] = str(world.location.pk)
    data |= {
        "hours-TOTAL_FORMS": total if total is not None else str(len(existing) + len(new)),
        "hours-INITIAL_FORMS": str(len(existing)),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    return data


def hours_still_make_slots(world, staff_member, *, rows_posted) -> None:
    """As many rows as were posted (unless the count of rows was forged),
    each open before it closes, and the times offered to parents can still
    be worked out from them."""
    rows = list(staff_member.hours.all())
    if rows_posted is not None:
        assert len(rows) == rows_posted
    assert all(0 <= row.weekday <= 6 and row.opens < row.closes for row in rows)
    for location in {row.location for row in rows}:
        assert isinstance(free_slots(location=location), list)


@FUZZ
@given(
    changes=st.lists(
        st.one_of(
            st.none(), st.just("delete"), hour_rows(1).map(lambda rows: rows[0] if rows else None)
        ),
        min_size=5,
        max_size=5,
    ),
    new=hour_rows(),
    # The count of rows, forged now and then (one past Django's limit, which
    # renders 2000 empty rows again, is the example below: once is enough).
    total=st.one_of(
        st.none(),
        st.none(),
        st.sampled_from(["", "abc", "-1", "0", "4", "1001"]),
        nasty_text(12),
    ),
    is_active=st.sampled_from(["on", ""]),
)
@example(
    changes=[None, "delete", None, None, None],
    new=[{"location": "<office>", "weekday": "5", "opens": "10:00", "closes": "13:00"}],
    total=None,
    is_active="on",
)
@example(
    changes=[
        {"location": "<office>", "weekday": "0", "opens": "00:00", "closes": "23:59"},
        *[None] * 4,
    ],
    new=[{"location": "<office>", "weekday": "6", "opens": "01:00", "closes": "02:30"}],
    total=None,
    is_active="on",
)
@example(changes=[None] * 5, new=[], total="99999999999", is_active="on")
def test_changing_someones_weekly_hours(world, changes, new, total, is_active):
    staff_member = world.staff_member
    existing = list(zip(staff_member.hours.order_by("pk"), changes, strict=True))
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("appointment_staff:edit", args=[staff_member.pk]),
            {
                "user": str(staff_member.user_id),
                "is_active": is_active,
                **hours_data(world, existing=existing, new=new, total=total),
            },
        )

        if outcome(response, before=before, admin=True):
            kept = sum(change != "delete" for change in changes)
            posted = kept + len(new) if total is None else None
            hours_still_make_slots(world, staff_member, rows_posted=posted)
            assert StaffMember.objects.get(pk=staff_member.pk).is_active is (is_active == "on")


@FUZZ
@given(
    user=st.one_of(st.sampled_from(["<approver>", "<caseworker>", "<parent>", ""]), nasty_text(10)),
    new=hour_rows(),
)
@example(
    user="<approver>",
    new=[{"location": "<office>", "weekday": "2", "opens": "09:30", "closes": "12:00"}],
)
def test_adding_someone_with_their_hours(world, user, new):
    # The approver has no hours yet; the caseworker has; a parent is not staff.
    for role in (APPROVER, CASEWORKER, PARENT):
        if user == f"<{role}>":
            user = str(world.users[role].pk)
    made = set(StaffMember.objects.values_list("pk", flat=True))
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("appointment_staff:add"),
            {
                "user": user,
                "is_active": "on",
                **hours_data(world, existing=[], new=new, total=None),
            },
        )

        if outcome(response, before=before, admin=True):
            staff_member = StaffMember.objects.exclude(pk__in=made).get()
            assert staff_member.user == world.users[APPROVER]
            hours_still_make_slots(world, staff_member, rows_posted=len(new))


@FUZZ
@given(slot=NUMBER, buffer=NUMBER, notice=NUMBER, horizon=NUMBER, cutoff=NUMBER)
@example(slot="60", buffer="15", notice="2", horizon="8", cutoff="24")
@example(slot="32768", buffer="15", notice="2", horizon="8", cutoff="24")
def test_changing_the_booking_rules(world, slot, buffer, notice, horizon, cutoff):
    rules = BookingSettings.load()
    with undone():
        before = snapshot()
        response = world.client(CASEWORKER).post(
            reverse("wagtailsettings:edit", args=["appointments", "bookingsettings", rules.pk]),
            {
                "slot_minutes": slot,
                "buffer_minutes": buffer,
                "notice_working_days": notice,
                "horizon_weeks": horizon,
                "change_cutoff_hours": cutoff,
            },
        )

        if outcome(response, before=before, admin=True):
            assert BookingSettings.load().slot_minutes == int(slot)


@FUZZ
@given(
    service_name=st.one_of(any_text(), nasty_text(300)),
    phone=st.one_of(
        st.sampled_from(["01865 810516", "+44 (0)1865 810516", "0800-123-4567"]),
        st.from_regex(r"\A[0-9+() .\-]{0,30}\Z"),
        nasty_text(50),
    ),
    email=st.one_of(st.just(""), st.emails(), nasty_text(40)),
    address=any_text(),
    hours=any_text(),
)
@example(
    service_name="SENDIASS Ynys Môn 🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",
    phone="01248 752 000",
    email="sendiass@example.org",
    address="Llangefni\r\nLL77 7TW",
    hours="Llun–Gwener",
)
def test_changing_the_contact_details(world, service_name, phone, email, address, hours):
    site = world.code_page.get_site()
    contact = ContactDetails.for_site(site)
    with undone():
        before = snapshot()
        response = world.client(SUPERUSER).post(
            # A site setting is edited by its site's id.
            reverse("wagtailsettings:edit", args=["content", "contactdetails", site.pk]),
            {
                "service_name": service_name,
                "phone": phone,
                "email": email,
                "address": address,
                "opening_hours": hours,
                "confidentiality_page": str(world.code_page.pk),
            },
        )

        if outcome(response, before=before, admin=True):
            saved = ContactDetails.objects.get(pk=contact.pk)
            assert saved.service_name == cleaned(service_name)
            assert saved.phone == cleaned(phone)
            # The footer of every page shows them, and the tel: link dials.
            page = world.client(PARENT).get(world.code_page.url)
            assert page.status_code == 200
            assert saved.phone_uri.lstrip("+").isdigit() or not saved.phone


@FUZZ
@given(
    caseworker=choice_or_nasty(["me", "unassigned", ""]),
    status=st.lists(choice_or_nasty(["submitted", "on_hold", "in_progress"]), max_size=3),
    clock=choice_or_nasty(["overdue", "due_within_7_days", "paused", "extended", ""]),
    ordering=choice_or_nasty(["due", "-due", "received", "-received", ""]),
    page=choice_or_nasty(["1", "2"]),
)
def test_the_dashboards_filters(world, caseworker, status, clock, ordering, page):
    query = urlencode(
        {
            "caseworker": caseworker,
            "status": status,
            "clock": clock,
            "ordering": ordering,
            "p": page,
        },
        doseq=True,
    )
    with undone():
        client = world.client(CASEWORKER)
        for name in ("sar_admin:dashboard", "sar_admin:dashboard_results"):
            response = client.get(f"{reverse(name)}?{query}")
            assert response.status_code in (200, 404)
