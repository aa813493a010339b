"""Retention and disposal: "disposed of when the young person leaves
Education". A daily check lists the cases due (never deleting anything); a
caseworker confirms one by typing its name; everything about the family goes
(records, files, bundles, people, requests, children, consents, appointments,
holds), a tombstone and a certificate stay, the audit trail keeps its events
with the personal fields erased and still verifies, and no URL reaches what
was disposed of."""

import datetime
import io

import pypdf
import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from appointments.models import Booking, Location, LocationKind, StaffMember
from appointments.personal_data import PERSONAL_DATA as APPOINTMENTS_PERSONAL_DATA
from portal.audit.events import record, verify_chain
from portal.audit.models import AuditEvent
from sar import roles, safeguarding
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import (
    AccessRequest,
    Bundle,
    BundleStatus,
    CaseStatus,
    Child,
    ConsentMethod,
    ConsentToDisclose,
    DisposalDue,
    DisposalTombstone,
    HoldExemption,
    Person,
    Record,
    RecordKind,
    Redaction,
    RedactionSource,
    SafeguardingHold,
    ServiceCase,
    SubjectCase,
    TimelineEntry,
)
from sar.personal_data import PERSONAL_DATA
from sar.redaction.codes import ReasonCode
from sar.retention import disposal, queue
from sar.retention.certificate import certificate_pdf
from tests.sar.admin_support import case_url, shows
from tests.sar.factories import ChildFactory
from tests.sar.steps import put_case_in
from tests.sar.views.journey import url

pytestmark = pytest.mark.django_db

CHILD_NAME = "Robin Quillfeather"
SECRET = "Robin's mother rang about the bruise on 3 March"
PURPOSE = "Responding to a right-of-access request"


@pytest.fixture
def family(parent, caseworker, preparer, safeguarding_lead, submit, make_user):
    """A parent's whole service case, past its retention date: a child who
    turned 25 years ago, records with an attachment, a person mentioned, a
    request with a bundle and a redaction, a consent, an appointment, a lifted
    hold and audit events with reasons and an IP address."""
    child = ChildFactory(
        parent=parent, full_name=CHILD_NAME, date_of_birth=datetime.date(1990, 4, 1)
    )
    service_case = ServiceCase.objects.create(
        service_user=parent, opened_on=datetime.date(2014, 9, 1), caseworker=caseworker
    )
    service_case.children.add(child)
    person = Person.objects.create(case=service_case, full_name="Jasmine Okonkwo", role="teacher")
    notes = []
    for kind in (RecordKind.CASE_NOTE, RecordKind.CASE_NOTE, RecordKind.LETTER):
        note = Record.objects.create(
            case=service_case, kind=kind, date=datetime.date(2015, 1, 5), title="Note", body=SECRET
        )
        note.concerns.add(child)
        note.mentions.add(person)
        notes.append(note)
    notes[2].set_attachment(b"%PDF-1.4 letter")

    access_request = submit(children=[child])
    own, about_child = access_request.cases.order_by("id")
    for case in (own, about_child):
        put_case_in(case, CaseStatus.CLOSED)
    # put_case_in gives a case past review its ready, encrypted bundle.
    bundle = Bundle.objects.get(subject_case=about_child, status=BundleStatus.READY)
    assert bundle.file.storage.exists(bundle.file.name)
    Redaction.objects.create(
        subject_case=about_child,
        record=notes[0],
        source=RedactionSource.MANUAL,
        field="body",
        start=0,
        end=5,
        reason_code=ReasonCode.THIRD_PARTY,
        excerpt="Robin",
        decided_by=caseworker,
    )
    consent = ConsentToDisclose.objects.create(
        parent=parent,
        child=child,
        consent_given_by="The mother",
        what_information="Reports",
        recipient="Riverside School",
        purpose="Annual review",
        given_on=datetime.date(2016, 1, 1),
        method=ConsentMethod.WRITTEN,
    )
    location = Location.objects.create(name="Video call", kind=LocationKind.VIDEO)
    staff = StaffMember.objects.create(user=make_user(roles.CASEWORKER))
    start = timezone.now() - datetime.timedelta(days=400)
    booking = Booking.objects.create(
        request=access_request,
        location=location,
        staff=staff,
        start=start,
        end=start + datetime.timedelta(hours=1),
        booked_by=parent,
        status="attended",
    )
    hold = SafeguardingHold.objects.create(
        subject_case=about_child,
        exemption=HoldExemption.CHILD_ABUSE,
        reason=SECRET,
        placed_by=safeguarding_lead,
        lifted_by=safeguarding_lead,
        lifted_at=timezone.now() - datetime.timedelta(days=500),
        decision="Resolved.",
    )
    hold.cases.add(about_child)
    http = RequestFactory().get("/", REMOTE_ADDR="198.51.100.23")
    viewed = record(
        action="sar.case.viewed",
        actor=caseworker,
        obj=about_child,
        reason=f"{PURPOSE}: {CHILD_NAME}",
        request=http,
    )
    return {
        "service_case": service_case,
        "child": child,
        "person": person,
        "records": notes,
        "request": access_request,
        "cases": (own, about_child),
        "bundle": bundle,
        "consent": consent,
        "booking": booking,
        "hold": hold,
        "viewed": viewed,
        "files": [notes[2].attachment.name, bundle.file.name],
    }


@pytest.fixture
def neighbour(other_parent, submit):
    """Someone else's case, not due: it must come through untouched."""
    child = ChildFactory(parent=other_parent, date_of_birth=datetime.date(2015, 1, 1))
    service_case = ServiceCase.objects.create(
        service_user=other_parent, opened_on=datetime.date(2022, 1, 1)
    )
    service_case.children.add(child)
    Record.objects.create(
        case=service_case, kind=RecordKind.CASE_NOTE, date=datetime.date(2023, 1, 1), title="N"
    )
    return {"service_case": service_case, "request": submit(other_parent, children=[child])}


def dispose(family, caseworker):
    queue.disposals_refresh()
    service_case = family["service_case"]
    return disposal.disposal_confirm(
        service_case=service_case,
        actor=caseworker,
        typed=disposal.confirmation_phrase(service_case),
    )


# The daily check ------------------------------------------------------------------


def test_the_daily_check_lists_what_is_due_and_deletes_nothing(family, neighbour):
    result = queue.disposals_refresh()

    entry = DisposalDue.objects.get()
    assert entry.service_case == family["service_case"]
    assert entry.due_on == datetime.date(2015, 4, 1) + datetime.timedelta(days=90)
    assert (result.listed, result.due) == (1, 1)
    assert Record.objects.count() == 4 and Child.objects.filter(full_name=CHILD_NAME).exists()
    assert AuditEvent.objects.filter(action="sar.disposal.listed").count() == 1

    again = queue.disposals_refresh()
    assert (again.listed, again.updated, again.removed) == (0, 0, 0)
    assert DisposalDue.objects.count() == 1


def test_a_case_no_longer_due_leaves_the_queue(parent, settings):
    service_case = ServiceCase.objects.create(
        service_user=parent,
        opened_on=datetime.date(2010, 1, 1),
        closed_on=datetime.date(2012, 1, 1),
    )
    queue.disposals_refresh()
    assert DisposalDue.objects.get().rule == "closed_no_children"

    # A child joins the case: the children's rule now applies, and it is not due.
    service_case.children.add(ChildFactory(parent=parent, date_of_birth=datetime.date(2015, 1, 1)))
    result = queue.disposals_refresh()

    assert result.removed == 1
    assert not DisposalDue.objects.exists()
    assert ServiceCase.objects.filter(pk=service_case.pk).exists()


def test_the_grace_period_comes_from_settings(parent, settings):
    child = ChildFactory(parent=parent, date_of_birth=datetime.date(1990, 1, 1))
    service_case = ServiceCase.objects.create(
        service_user=parent, opened_on=datetime.date(2010, 1, 1)
    )
    service_case.children.add(child)
    settings.RETENTION_GRACE_DAYS = 400

    queue.disposals_refresh(today=datetime.date(2016, 2, 4))
    assert not DisposalDue.objects.exists()
    queue.disposals_refresh(today=datetime.date(2016, 2, 5))
    assert DisposalDue.objects.get().due_on == datetime.date(2016, 2, 5)


def test_the_schedule_exists_once_and_runs_the_check(family):
    schedules = Schedule.objects.filter(name=queue.SCHEDULE_NAME)
    assert schedules.count() == 1  # made by the migration
    schedule = schedules.get()
    assert (schedule.func, schedule.schedule_type) == (queue.SCHEDULE_FUNC, Schedule.DAILY)
    queue.ensure_schedule()
    queue.ensure_schedule()
    assert schedules.count() == 1

    # The demo data's step makes it too, once.
    from portal.management.commands.load_demo_data import STEPS

    dict(STEPS)["Retention"]()
    assert schedules.count() == 1

    async_task(schedule.func)  # Q_SYNC: runs now, as the cluster would

    assert DisposalDue.objects.filter(service_case=family["service_case"]).exists()


# Left education -----------------------------------------------------------------------


def test_a_caseworker_records_when_a_child_left_education(parent, caseworker, approver):
    child = ChildFactory(parent=parent, date_of_birth=datetime.date(2004, 6, 1))
    service_case = ServiceCase.objects.create(
        service_user=parent, opened_on=datetime.date(2015, 1, 1)
    )
    service_case.children.add(child)
    queue.disposals_refresh()
    assert not DisposalDue.objects.exists()

    with pytest.raises(NotPermitted):
        queue.child_record_left_education(
            child=child, left_on=datetime.date(2022, 7, 1), actor=approver
        )
    with pytest.raises(RuleViolation) as future:
        queue.child_record_left_education(
            child=child,
            left_on=timezone.now().date() + datetime.timedelta(days=30),
            actor=caseworker,
        )
    assert future.value.message == queue.LEFT_EDUCATION_IN_FUTURE
    queue.child_record_left_education(
        child=child, left_on=datetime.date(2022, 7, 1), actor=caseworker
    )

    child.refresh_from_db()
    assert child.left_education_on == datetime.date(2022, 7, 1)
    assert AuditEvent.objects.get(action="sar.child.left_education_recorded").actor == caseworker
    queue.disposals_refresh()
    assert DisposalDue.objects.get().due_on == datetime.date(2022, 7, 1) + datetime.timedelta(90)


# Confirming ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["approver", "safeguarding_lead", "administrator", "parent"])
def test_only_a_caseworker_may_dispose(who, request, family):
    queue.disposals_refresh()
    actor = request.getfixturevalue(who)

    with pytest.raises(NotPermitted):
        disposal.disposal_confirm(
            service_case=family["service_case"],
            actor=actor,
            typed="Service case " + str(family["service_case"].pk),
        )
    assert Record.objects.filter(case=family["service_case"]).count() == 3


def test_the_case_name_must_be_typed(family, caseworker):
    queue.disposals_refresh()

    for typed in ("", "yes", f"Service case {family['service_case'].pk + 1}"):
        with pytest.raises(RuleViolation) as error:
            disposal.disposal_confirm(
                service_case=family["service_case"], actor=caseworker, typed=typed
            )
        assert error.value.message == disposal.TYPED_WRONG
    assert ServiceCase.objects.filter(pk=family["service_case"].pk).exists()


def test_a_case_not_listed_or_not_due_is_refused(family, neighbour, caseworker):
    with pytest.raises(RuleViolation) as error:
        disposal.disposal_confirm(
            service_case=family["service_case"],
            actor=caseworker,
            typed=disposal.confirmation_phrase(family["service_case"]),
        )
    assert error.value.message == disposal.NOT_DUE
    queue.disposals_refresh()
    with pytest.raises(RuleViolation):
        disposal.disposal_confirm(
            service_case=neighbour["service_case"],
            actor=caseworker,
            typed=disposal.confirmation_phrase(neighbour["service_case"]),
        )


def test_a_standing_hold_or_an_open_request_stops_a_disposal(
    family, caseworker, safeguarding_lead, submit
):
    queue.disposals_refresh()
    hold = safeguarding.hold_place_on_service_case(
        service_case=family["service_case"],
        actor=safeguarding_lead,
        reason="A new concern.",
        exemption=HoldExemption.CHILD_ABUSE,
    )
    with pytest.raises(RuleViolation) as held:
        dispose(family, caseworker)
    assert held.value.message == queue.BLOCKED_BY_HOLD

    safeguarding.hold_lift(hold=hold, actor=safeguarding_lead, decision="Resolved.")
    submit()  # the parent asks again: an open request about the case
    with pytest.raises(RuleViolation) as open_request:
        dispose(family, caseworker)
    assert open_request.value.message == queue.BLOCKED_BY_OPEN_REQUEST
    assert Record.objects.filter(case=family["service_case"]).count() == 3


def test_a_disposal_destroys_everything_about_the_family_and_leaves_a_tombstone(
    family, neighbour, caseworker, parent, django_capture_on_commit_callbacks
):
    for name in family["files"]:
        assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        tombstone = dispose(family, caseworker)

    assert not ServiceCase.objects.filter(pk=family["service_case"].pk).exists()
    assert not Record.objects.filter(pk__in=[r.pk for r in family["records"]]).exists()
    assert not Person.objects.filter(pk=family["person"].pk).exists()
    assert not Child.objects.filter(pk=family["child"].pk).exists()
    assert not AccessRequest.objects.filter(pk=family["request"].pk).exists()
    assert not SubjectCase.objects.filter(pk__in=[c.pk for c in family["cases"]]).exists()
    assert not TimelineEntry.objects.filter(request_id=family["request"].pk).exists()
    assert not Bundle.objects.exists()
    assert not Redaction.objects.exists()
    assert not ConsentToDisclose.objects.exists()
    assert not Booking.objects.exists()
    assert not SafeguardingHold.objects.exists()
    assert not DisposalDue.objects.exists()
    for name in family["files"]:
        assert not default_storage.exists(name)
    # The parent's account is theirs to close; someone else's case is untouched.
    parent.refresh_from_db()
    assert ServiceCase.objects.filter(pk=neighbour["service_case"].pk).exists()
    assert AccessRequest.objects.filter(pk=neighbour["request"].pk).exists()

    assert tombstone.service_case_number == family["service_case"].pk
    assert tombstone.references == [family["request"].reference]
    assert tombstone.opened_on == datetime.date(2014, 9, 1)
    assert tombstone.confirmed_by == caseworker
    assert tombstone.counts["records_by_kind"] == {"case_note": 2, "letter": 1}
    # The letter's attachment and both closed cases' bundles.
    assert tombstone.counts["files"] == 3
    by_model = tombstone.counts["by_model"]
    assert by_model["sar.Child"] == 1 and by_model["sar.Person"] == 1
    assert by_model["sar.SubjectCase"] == 2 and by_model["appointments.Booking"] == 1
    # Nothing in the tombstone names anyone.
    stored = str(DisposalTombstone.objects.values().get())
    for name in (CHILD_NAME, "Quillfeather", "Jasmine", parent.email, parent.full_name):
        assert name not in stored


def test_the_audit_trail_keeps_its_events_with_personal_fields_erased_and_verifies(
    family, caseworker
):
    viewed = family["viewed"]
    before = AuditEvent.objects.count()

    tombstone = dispose(family, caseworker)

    event = AuditEvent.objects.get(pk=viewed.pk)
    assert (event.action, event.actor, event.hash) == ("sar.case.viewed", caseworker, viewed.hash)
    assert (event.reason, event.ip_address) == ("", None)
    assert AuditEvent.objects.count() > before  # nothing removed, the disposal added
    assert not AuditEvent.objects.filter(reason__contains=CHILD_NAME).exists()
    assert not AuditEvent.objects.filter(ip_address="198.51.100.23").exists()
    assert tombstone.audit_events_erased >= 1
    confirmed = AuditEvent.objects.get(action="sar.disposal.confirmed")
    assert confirmed.actor == caseworker
    assert confirmed.data["service_case"] == tombstone.service_case_number
    assert verify_chain().ok


def test_the_certificate_is_a_pdf_saying_what_was_destroyed_and_naming_nobody(
    family, caseworker, parent
):
    tombstone = dispose(family, caseworker)

    pdf = certificate_pdf(tombstone)

    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Certificate of disposal" in text
    assert tombstone.certificate_number in text
    assert f"service case {tombstone.service_case_number}" in text
    assert family["request"].reference in text
    assert "Records 3" in text
    for name in (CHILD_NAME, "Quillfeather", "Jasmine", parent.email, parent.full_name):
        assert name not in text


# Nothing reaches it any more -----------------------------------------------------------


def test_no_url_reaches_a_disposed_case(
    family, caseworker, administrator, parent_client, staff_client
):
    service_case, request = family["service_case"], family["request"]
    own, about_child = family["cases"]
    parent_urls = [
        url("request_detail", request.reference),
        url("withdraw", request.reference),
        url("answer", request.reference),
        reverse("appointments:booked", args=[family["booking"].pk]),
        reverse("appointments:cancel", args=[family["booking"].pk]),
    ]
    staff_urls = [
        case_url(own),
        case_url(about_child),
        reverse("sar_admin:case_step", args=[about_child.pk, "assign"]),
        reverse("sar_admin:retention_case", args=[service_case.pk]),
        reverse("sar_admin:disposal_confirm", args=[service_case.pk]),
        reverse("sar_admin:left_education", args=[service_case.pk, family["child"].pk]),
        reverse("sar_admin:hold", args=[family["hold"].pk]),
    ]
    cw, admin = staff_client(caseworker), staff_client(administrator)
    # Reachable before.
    assert parent_client.get(parent_urls[0]).status_code == 200
    assert cw.get(staff_urls[0]).status_code == 200

    dispose(family, caseworker)

    for address in parent_urls:
        assert parent_client.get(address).status_code == 404, address
    for address in staff_urls:
        client = admin if "holds" in address else cw
        assert client.get(address).status_code == 404, address
    listing = parent_client.get(url("requests")).content.decode()
    assert request.reference not in listing
    assert CHILD_NAME not in parent_client.get(url("consents")).content.decode()


# The registry drives it --------------------------------------------------------------------


def test_every_model_with_personal_data_is_in_the_disposal_plan():
    personal = set(PERSONAL_DATA) | set(APPOINTMENTS_PERSONAL_DATA)
    missing = personal - set(disposal.PLAN_LABELS) - disposal.NOT_CASE_DATA
    assert not missing, f"Say how a disposal treats {sorted(missing)} in sar/retention/disposal.py"


def test_every_protected_link_to_a_disposed_model_is_disposed_of_first():
    order = {label: i for i, label in enumerate(disposal.PLAN_LABELS)}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                continue
            target = field.related_model._meta.label
            if target not in order or field.remote_field.on_delete is not models.PROTECT:
                continue
            label = model._meta.label
            assert label in order, f"{label}.{field.name} PROTECTs {target}: add it to the plan"
            assert order[label] < order[target], f"{label} must be deleted before {target}"


# The screens -------------------------------------------------------------------------


def test_a_caseworker_disposes_of_a_case_through_the_admin(
    family, caseworker, administrator, staff_client
):
    queue.disposals_refresh()
    service_case = family["service_case"]
    client = staff_client(caseworker)

    queue_page = client.get(reverse("sar_admin:disposal_queue"))
    assert shows(queue_page, str(service_case))
    case_page = client.get(reverse("sar_admin:retention_case", args=[service_case.pk]))
    assert shows(case_page, CHILD_NAME)
    assert AuditEvent.objects.filter(action="sar.service_case.viewed", actor=caseworker).exists()
    confirm_url = reverse("sar_admin:disposal_confirm", args=[service_case.pk])
    confirm = client.get(confirm_url)
    assert shows(confirm, "What will be destroyed")
    assert shows(confirm, family["request"].reference)
    assert staff_client(administrator).get(confirm_url).status_code in (302, 403)

    wrong = client.post(confirm_url, {"typed": "dispose"})
    assert shows(wrong, disposal.TYPED_WRONG)
    assert ServiceCase.objects.filter(pk=service_case.pk).exists()
    done = client.post(confirm_url, {"typed": f"service case {service_case.pk}"})

    tombstone = DisposalTombstone.objects.get()
    assert done["Location"] == reverse("sar_admin:disposal_record", args=[tombstone.pk])
    record_page = staff_client(administrator).get(done["Location"])
    assert shows(record_page, tombstone.certificate_number)
    certificate = staff_client(administrator).get(
        reverse("sar_admin:disposal_certificate", args=[tombstone.pk])
    )
    assert certificate["Content-Type"] == "application/pdf"
    assert certificate.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="sar.disposal.certificate_downloaded").exists()


def test_a_held_case_is_kept_from_the_caseworkers_queue(
    family, caseworker, administrator, safeguarding_lead, staff_client
):
    safeguarding.hold_place_on_service_case(
        service_case=family["service_case"],
        actor=safeguarding_lead,
        reason="A new concern.",
        exemption=HoldExemption.CHILD_ABUSE,
    )
    queue.disposals_refresh()
    name = str(family["service_case"])

    assert not shows(staff_client(caseworker).get(reverse("sar_admin:disposal_queue")), name)
    admin_page = staff_client(administrator).get(reverse("sar_admin:disposal_queue"))
    assert shows(admin_page, name)
    assert shows(admin_page, queue.BLOCKED_BY_HOLD)
    assert (
        staff_client(caseworker)
        .get(reverse("sar_admin:retention_case", args=[family["service_case"].pk]))
        .status_code
        == 404
    )
