"""Staff reads of personal records: what counts as a read (one rule), every
staff screen of ours either records a read with its purpose or is listed
here with why it is not one (a new screen fails until someone decides), and
the administrators' report: reads per member of staff per ISO week (London
time) and the reads of cases not assigned to the reader."""

# The right-of-access fixtures are imported from tests.sar.conftest and then
# requested by name as arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import datetime as dt

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from appointments.models import Booking, Location, LocationKind, StaffMember
from portal.audit.events import record
from portal.audit.models import AuditEvent
from portal.audit.reads import READ_VERBS, is_read_action, staff_reads
from sar import roles
from sar.admin_views.access import CASE_VIEW_PURPOSE
from sar.models import Record, RecordKind, ServiceCase, SubjectCase
from sar.reads import reads_of_unassigned_cases, reads_per_week
from tests.sar.admin_support import case_url, staff_client_fixture  # noqa: F401
from tests.sar.conftest import (  # noqa: F401
    _fast_passwords,
    caseworker,
    groups,
    make_user,
    other_parent,
    parent,
    revision,
    submit,
    superuser,
)

pytestmark = pytest.mark.django_db

REPORT = reverse("sar_admin:reads_report")


def at(moment: str):
    return time_machine.travel(dt.datetime.fromisoformat(moment), tick=False)


# What counts as a read -------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "is_read"),
    [
        ("sar.case.viewed", True),
        ("sar.bundle.downloaded", True),
        ("sar.case_study.exported", True),
        ("appointments.diary.viewed", True),
        ("sar.case.viewed_by", False),
        ("sar.request.submit", False),
        ("viewed", False),
        ("sar.viewedx", False),
    ],
)
def test_a_read_is_named_by_its_last_word(action, is_read):
    assert is_read_action(action) is is_read


def test_the_filter_and_the_rule_agree(caseworker, parent):
    actions = ["sar.case.viewed", "sar.bundle.downloaded", "sar.request.submit", "x.exported"]
    for action in actions:
        record(action=action, actor=caseworker, obj=parent)
    record(action="sar.case.viewed", actor=parent, obj=parent)  # a parent's own look

    assert sorted(staff_reads().values_list("action", flat=True)) == sorted(
        a for a in actions if is_read_action(a)
    )
    assert set(READ_VERBS) == {"viewed", "downloaded", "exported"}


# Every staff screen is classified ----------------------------------------------

OUR_PACKAGES = ("sar", "appointments", "portal", "content")
OUR_APPS = ("sar", "appointments", "accounts", "audit", "content")

# Screens that show a person's records, and the read they record.
READ_SCREENS = {
    "sar_admin:case": "sar.case.viewed",
    "sar_admin:parent_consents": "sar.consent.viewed",
    "sar_admin:consent_record": "sar.consent.viewed",
    "sar_admin:consents": "sar.consent_list.viewed",
    "sar_admin:case_study": "sar.case_study.viewed",
    "sar_admin:case_records": "sar.records.viewed",
    "sar_admin:case_study_export": "sar.case_study.exported",
    "appointment_diary:day": "appointments.diary.viewed",
    "appointment_diary:week": "appointments.diary.viewed",
    "appointment_diary:booking": "appointments.booking.viewed",
    "appointment_diary:cancel": "appointments.booking.viewed",
}
# Screens that do not, and why. "namespace:*" covers a whole viewset.
NOT_READS = {
    "sar_admin:dashboard": "names nobody: references, 'Child (12)', statuses, dates",
    "sar_admin:dashboard_results": "the dashboard's list, refreshed",
    "sar_admin:case_step": "the reference and 'Child (12)', as the dashboard; the step is audited",
    "sar_admin:case_studies": "service cases by number, naming nobody",
    "sar_admin:reads_report": "staff activity and case references, no service user's data",
    # Reads tested with their own screens (tests/sar/test_admin_redaction.py,
    # test_admin_records.py, test_admin_bundles.py, tests/governance/): each
    # needs a case in review, a record or a hold that this module's world lacks.
    "sar_admin:record_include": "an audited include decision",
    "sar_admin:redaction": "sar.redaction.viewed, tested in tests/sar/test_admin_redaction.py",
    "sar_admin:redaction_log": "its read is tested in tests/sar/test_admin_redaction.py",
    "sar_admin:redaction_record": "sar.record.viewed, tested in tests/sar/test_admin_redaction.py",
    "sar_admin:bundle_pdf": "sar.bundle.viewed, tested in tests/sar/test_admin_bundles.py",
    "sar_admin:bundle_status": "the job's progress: counts and a status, naming nobody",
    "sar_admin:bundle_prepare": "POST only: preparing a bundle is an audited change",
    "sar_admin:bundle_retry": "POST only: an audited change",
    "sar_admin:bundle_revoke": "revoking is an audited change; its form names nobody",
    "sar_admin:bundle_available": "making it available again is an audited change",
    "sar_admin:holds": "holds by reference and age; sar.hold.viewed on each hold's page",
    "sar_admin:holds_results": "the holds report's list, refreshed",
    "sar_admin:hold": "sar.hold.viewed, tested in tests/governance/test_safeguarding_holds.py",
    "sar_admin:hold_lift": "lifting is an audited change",
    "sar_admin:hold_service_case": "placing a hold is an audited change",
    "sar_admin:disposal_queue": "service cases by number and due date, naming nobody",
    "sar_admin:retention_cases": "service cases by number and due date, naming nobody",
    "sar_admin:retention_case": "sar.service_case.viewed, tested in tests/governance/",
    "sar_admin:left_education": "recording the date is an audited change",
    "sar_admin:disposal_confirm": "disposal is an audited change",
    "sar_admin:disposal_records": "anonymous tombstones: no personal data is left",
    "sar_admin:disposal_record": "an anonymous tombstone: no personal data is left",
    "sar_admin:disposal_certificate": "an anonymous certificate, its download audited",
    "appointment_diary:attended": "POST only: marking attendance is an audited change",
    "appointment_diary:no_show": "POST only: marking attendance is an audited change",
    "accounts_recovery_index": "account administration for a sign-in reset, itself audited",
    "accounts_recovery_detail": "account administration for a sign-in reset, itself audited",
    "audit:*": "the audit trail names nobody: actor labels and ids",
    "appointment_locations:*": "places: no service user's data",
    "appointment_staff:*": "staff and their hours: no service user's data",
    "appointment_closures:*": "closures: no service user's data",
    "wagtailusers_users:*": "Wagtail's user accounts (administrators): accounts, not records",
}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback


def _ours(callback) -> bool:
    """A view written in this project, or a generic view over one of our models."""
    view_class = getattr(callback, "view_class", None)
    module = (view_class or callback).__module__
    if module.split(".")[0] in OUR_PACKAGES:
        return True
    model = getattr(callback, "view_initkwargs", {}).get("model")
    return hasattr(model, "_meta") and model._meta.app_label in OUR_APPS


def staff_screens() -> set[str]:
    return {
        name
        for route, name, callback in _walk(get_resolver().url_patterns)
        if route.startswith("admin/") and _ours(callback)
    }


def classified(name: str) -> bool:
    return name in READ_SCREENS or name in NOT_READS or f"{name.rpartition(':')[0]}:*" in NOT_READS


def test_every_staff_screen_either_records_a_read_or_says_why_not():
    screens = staff_screens()

    unclassified = sorted(name for name in screens if not classified(name))
    assert not unclassified, (
        "New staff screens: add each to READ_SCREENS (and record a read with a purpose "
        f"when it shows a person's records) or to NOT_READS with why: {unclassified}"
    )
    stale = [n for n in [*READ_SCREENS, *NOT_READS] if not n.endswith(":*") and n not in screens]
    assert not stale, f"Rows for screens that no longer exist: {stale}"
    for action in READ_SCREENS.values():
        assert is_read_action(action), action


@pytest.fixture
def world(parent, submit, caseworker):
    """One of everything a read screen shows: a request, a case file with a
    record, and an appointment tomorrow."""
    case = submit().cases.get()
    service_case = ServiceCase.objects.create(
        service_user=parent, opened_on=dt.date(2024, 1, 1), caseworker=caseworker
    )
    Record.objects.create(
        case=service_case, kind=RecordKind.CASE_NOTE, date=dt.date(2024, 2, 1), title="Note"
    )
    location = Location.objects.create(name="Video call", kind=LocationKind.VIDEO)
    start = timezone.now() + dt.timedelta(days=1)
    booking = Booking.objects.create(
        request=case.request,
        location=location,
        staff=StaffMember.objects.create(user=caseworker),
        start=start,
        end=start + dt.timedelta(hours=1),
        booked_by=parent,
    )
    return {"case": case, "service_case": service_case, "booking": booking, "parent": parent}


def _open(client, name: str, world):
    kwargs = {
        "sar_admin:case": {"pk": world["case"].pk},
        "sar_admin:parent_consents": {"parent_pk": world["parent"].pk},
        "sar_admin:consent_record": {"parent_pk": world["parent"].pk},
        "sar_admin:case_study": {"pk": world["service_case"].pk},
        "sar_admin:case_records": {"pk": world["case"].pk},
        "sar_admin:case_study_export": {"pk": world["service_case"].pk},
        "appointment_diary:booking": {"pk": world["booking"].pk},
        "appointment_diary:cancel": {"pk": world["booking"].pk},
    }.get(name, {})
    url = reverse(name, kwargs=kwargs)
    if name == "sar_admin:case_study_export":
        return client.post(url, {"extra_terms": ""})
    return client.get(url)


@pytest.mark.parametrize("name", sorted(READ_SCREENS))
def test_each_read_screen_records_the_read_with_its_purpose(name, world, make_user, staff_client):
    reader = make_user(roles.CASEWORKER)

    response = _open(staff_client(reader), name, world)

    assert response.status_code == 200, name
    by_reader = list(AuditEvent.objects.filter(actor=reader))
    reads = [e for e in by_reader if e.action == READ_SCREENS[name]]
    assert reads, f"{name} recorded only {[e.action for e in by_reader]}"
    assert all(e.reason for e in reads)
    assert all(world["parent"].full_name not in str(e.data) for e in reads)


# The report -------------------------------------------------------------------------


@pytest.fixture
def administrator_client(make_user, staff_client):
    return staff_client(make_user(roles.ADMINISTRATOR, full_name="Ada Administrator"))


def test_reads_are_counted_per_person_per_iso_week_in_london_time(
    make_user, parent, administrator_client
):
    casey = make_user(roles.CASEWORKER, full_name="Casey Worker")
    april = make_user(roles.APPROVER, full_name="April Approver")
    # Wednesday 2 April 2025 is in ISO week 14; Monday 31 March starts it.
    with at("2025-03-18T10:00:00+00:00"):  # week 12
        record(action="sar.case.viewed", actor=casey, obj=parent, reason="r")
    with at("2025-03-30T23:30:00+00:00"):  # 00:30 on Monday 31 March in London: week 14
        record(action="sar.case.viewed", actor=casey, obj=parent, reason="r")
    with at("2025-04-02T09:00:00+00:00"):
        record(action="sar.bundle.downloaded", actor=casey, obj=parent, reason="r")
        record(action="sar.case.viewed", actor=april, obj=parent, reason="r")
        record(action="sar.request.submit", actor=casey, obj=parent)  # not a read
        record(action="sar.my_data.viewed", actor=parent, obj=parent)  # not staff
    with at("2024-12-02T09:00:00+00:00"):  # long ago
        record(action="sar.case.viewed", actor=april, obj=parent, reason="r")

    table = reads_per_week(weeks=4, today=dt.date(2025, 4, 2))

    assert [w.label for w in table.weeks] == ["2025-W11", "2025-W12", "2025-W13", "2025-W14"]
    counts = {row.reader.full_name: row.counts for row in table.rows}
    assert counts == {"Casey Worker": [0, 1, 0, 2], "April Approver": [0, 0, 0, 1]}
    assert table.totals == [0, 1, 0, 3]

    with at("2025-04-02T12:00:00+00:00"):
        page = administrator_client.get(REPORT, {"weeks": "4"}).content.decode()
    assert "2025-W14" in page and "2025-W10" not in page
    assert "Casey Worker" in page and "April Approver" in page
    assert parent.full_name not in page


def test_the_number_of_weeks_can_be_chosen_and_a_bad_choice_falls_back(administrator_client):
    assert administrator_client.get(REPORT, {"weeks": "13"}).context["weeks"] == 13
    assert len(administrator_client.get(REPORT, {"weeks": "13"}).context["table"].weeks) == 13
    assert administrator_client.get(REPORT, {"weeks": "1000"}).context["weeks"] == 8
    assert administrator_client.get(REPORT).context["weeks"] == 8


def test_reads_of_cases_not_assigned_to_the_reader_are_flagged(
    submit, other_parent, make_user, staff_client, administrator_client
):
    holder = make_user(roles.CASEWORKER, full_name="Hollis Holder")
    other = make_user(roles.CASEWORKER, full_name="Otto Other")
    approver = make_user(roles.APPROVER, full_name="Apu Approver")
    assigned = submit().cases.get()
    SubjectCase.objects.filter(pk=assigned.pk).update(assigned_to=holder)
    unassigned = submit(requester=other_parent).cases.get()
    held_file = ServiceCase.objects.create(
        service_user=other_parent, opened_on=dt.date(2024, 1, 1), caseworker=holder
    )
    staff_client(holder).get(case_url(assigned))
    staff_client(other).get(case_url(assigned))
    staff_client(other).get(case_url(assigned))
    staff_client(approver).get(case_url(unassigned))
    record(action="sar.record.viewed", actor=other, obj=held_file, reason="Redacting")
    record(action="sar.case_study.viewed", actor=holder, obj=held_file, reason="Training")

    flagged = {(f.reader.full_name, f.what): f for f in reads_of_unassigned_cases()}

    reference = assigned.request.reference
    assert set(flagged) == {
        ("Otto Other", f"Request {reference}"),
        ("Apu Approver", f"Request {unassigned.request.reference}"),
        ("Otto Other", f"Service case {held_file.pk}"),
    }
    assert flagged[("Otto Other", f"Request {reference}")].reads == 2
    assert flagged[("Otto Other", f"Request {reference}")].assigned_to == holder
    assert flagged[("Apu Approver", f"Request {unassigned.request.reference}")].assigned_to is None
    page = administrator_client.get(REPORT).content.decode()
    assert "Otto Other" in page and "Hollis Holder" in page and "Nobody" in page
    assert case_url(assigned) in page


def test_a_case_no_longer_held_is_left_out_of_the_flags(make_user, parent):
    reader = make_user(roles.CASEWORKER)
    record(
        action="sar.case.viewed",
        actor=reader,
        object_type="sar.subjectcase",
        object_id="999999",
        reason=CASE_VIEW_PURPOSE,
    )

    assert reads_of_unassigned_cases() == []


@pytest.mark.parametrize(
    "role", [roles.CASEWORKER, roles.APPROVER, roles.SAFEGUARDING_LEAD, "Content editor"]
)
def test_only_administrators_open_the_report(make_user, staff_client, role):
    response = staff_client(make_user(role)).get(REPORT)

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_administrators_and_superusers_find_it_under_audit(
    administrator_client, superuser, staff_client
):
    response = administrator_client.get(REPORT)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Staff reads" in administrator_client.get(reverse("wagtailadmin_home")).content.decode()
    home = staff_client(superuser).get(reverse("wagtailadmin_home")).content.decode()
    assert "Staff reads" in home and "Audit trail" in home
    assert staff_client(superuser).get(REPORT).status_code == 200


def test_the_menu_item_is_hidden_from_caseworkers(make_user, staff_client):
    home = staff_client(make_user(roles.CASEWORKER)).get(reverse("wagtailadmin_home"))

    assert "Staff reads" not in home.content.decode()
