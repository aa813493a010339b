"""The staff records screen: who may open it, searching by date, kind and
person, the list (never a record's text), choosing records with checkboxes
(saved), records shared in confidence, the read audit, and the case page's
"Records and redaction" section."""

import datetime as dt
import re
from types import SimpleNamespace
from urllib.parse import urlencode, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from sar import roles
from sar.admin_views.records import CONFIDENTIAL_VIEW_PURPOSE, RECORDS_VIEW_PURPOSE
from sar.models import Person, RecordKind, ServiceCase, SubjectCaseRecord
from sar.records import DECISION_REASON_NEEDED, NOT_CASE_STAFF, records_attach, records_in_scope
from sar.workflow.messages import DATE_RANGE_REVERSED
from tests.sar.admin_support import case_url, shows, staff_client_fixture  # noqa: F401
from tests.sar.factories import ChildFactory
from tests.sar.redaction_support import (  # noqa: F401
    NEIGHBOUR,
    make_record_fixture,
    service_case_fixture,
)

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Zebedee told us about the shed"


def records_url(case, **query) -> str:
    url = reverse("sar_admin:case_records", args=[case.pk])
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def include_url(case, record) -> str:
    return reverse("sar_admin:record_include", args=[case.pk, record.pk])


def listed(response) -> list:
    return list(response.context["page_obj"].object_list)


@pytest.fixture
def case(submit, service_case):
    return submit().cases.get()


@pytest.fixture
def records(make_record, service_case, parent):
    """Three records of different dates, kinds and people, and one the child
    shared in confidence."""
    child = ChildFactory(parent=parent, full_name="Zebedee Lindqvist")
    service_case.children.add(child)
    neighbour = Person.objects.get(full_name=NEIGHBOUR)
    call = make_record(date=dt.date(2024, 1, 10), kind=RecordKind.PHONE_CALL, title="Phone call")
    email = make_record(
        date=dt.date(2024, 2, 10), kind=RecordKind.EMAIL, title="Email", body=SECRET_TEXT
    )
    note = make_record(date=dt.date(2024, 3, 10), kind=RecordKind.CASE_NOTE, title="Case note")
    secret = make_record(
        date=dt.date(2024, 4, 10),
        kind=RecordKind.CASE_NOTE,
        title="Conversation with the child",
        body=SECRET_TEXT,
        shared_in_confidence_by_child=True,
    )
    call.mentions.add(neighbour)
    note.concerns.add(child)
    return SimpleNamespace(
        call=call, email=email, note=note, secret=secret, child=child, neighbour=neighbour
    )


# Who may enter ---------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [roles.CASEWORKER, roles.APPROVER, roles.SAFEGUARDING_LEAD, roles.ADMINISTRATOR]
)
def test_case_staff_can_open_the_records_screens(make_user, staff_client, case, records, role):
    client = staff_client(make_user(role))

    for url in (records_url(case), include_url(case, records.secret)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]


def test_a_content_editor_parent_or_visitor_gets_nothing(
    make_user, staff_client, case, records, parent
):
    home = reverse("wagtailadmin_home")
    sign_in = reverse("accounts:sign_in")
    parent.email_verified_at = timezone.now()
    parent.save(update_fields=["email_verified_at"])
    for client, goes_to in (
        (staff_client(make_user("Content editor")), home),
        (staff_client(parent), sign_in),
        (Client(), sign_in),
    ):
        for url in (records_url(case), include_url(case, records.secret)):
            response = client.get(url)
            assert response.status_code == 302, url
            assert urlparse(response["Location"]).path == goes_to
        response = client.post(
            records_url(case), {"action": "attach", "records": [records.call.pk]}
        )
        assert response.status_code == 302
        response = client.post(include_url(case, records.secret), {"reason": "Because."})
        assert response.status_code == 302
    assert not SubjectCaseRecord.objects.exists()
    records.secret.refresh_from_db()
    assert records.secret.decided_at is None
    assert not AuditEvent.objects.filter(action__in=["sar.records.viewed", "sar.record.viewed"])


def test_only_caseworkers_choose_records(make_user, staff_client, case, records):
    client = staff_client(make_user(roles.APPROVER))

    page = client.get(records_url(case)).content.decode()
    assert "Add ticked records" not in page
    assert 'name="records"' not in page

    response = client.post(
        records_url(case), {"action": "attach", "records": [records.call.pk]}, follow=True
    )
    assert shows(response, NOT_CASE_STAFF)
    assert not SubjectCaseRecord.objects.exists()
    response = client.post(include_url(case, records.secret), {"reason": "Because."})
    assert shows(response, NOT_CASE_STAFF)
    records.secret.refresh_from_db()
    assert records.secret.decided_at is None


def test_changes_need_the_csrf_token(make_user, case, records, caseworker):
    from tests.portal.accounts.factories import add_totp, sign_in_verified

    client = Client(enforce_csrf_checks=True)
    sign_in_verified(client, caseworker, add_totp(caseworker))

    response = client.post(records_url(case), {"action": "attach", "records": [records.call.pk]})

    assert response.status_code == 403
    assert not SubjectCaseRecord.objects.exists()


# The list --------------------------------------------------------------------


def test_the_list_shows_what_a_record_is_never_its_text(staff_client, caseworker, case, records):
    response = staff_client(caseworker).get(records_url(case))
    page = response.content.decode()

    assert listed(response) == [records.call, records.email, records.note, records.secret]
    assert "10 Feb 2024" in page and "Conversation with the child" in page
    assert caseworker.full_name in page
    assert SECRET_TEXT not in page
    assert "lunchtime club" not in page  # the call's text


def test_listing_is_an_audited_read_with_the_purpose(staff_client, caseworker, case, records):
    staff_client(caseworker).get(records_url(case, kinds=RecordKind.EMAIL))

    event = AuditEvent.objects.get(action="sar.records.viewed")
    assert event.actor == caseworker
    assert event.reason == RECORDS_VIEW_PURPOSE
    assert event.object_id == str(case.pk)
    assert event.data == {"request": case.request.reference, "record_ids": [records.email.pk]}


def test_searching_by_dates_kind_and_person(staff_client, caseworker, case, records):
    client = staff_client(caseworker)

    found = listed(client.get(records_url(case, date_from="2024-02-01", date_to="2024-03-31")))
    assert found == [records.email, records.note]
    found = listed(client.get(records_url(case, kinds=[RecordKind.PHONE_CALL, RecordKind.EMAIL])))
    assert found == [records.call, records.email]
    found = listed(client.get(records_url(case, person=f"person-{records.neighbour.pk}")))
    assert found == [records.call]
    found = listed(client.get(records_url(case, person=f"child-{records.child.pk}")))
    assert found == [records.note]


def test_a_reversed_date_range_says_so(staff_client, caseworker, case, records):
    response = staff_client(caseworker).get(
        records_url(case, date_from="2024-03-01", date_to="2024-02-01")
    )

    assert response.status_code == 200
    assert shows(response, DATE_RANGE_REVERSED)
    assert listed(response) == []


def test_records_of_other_service_users_are_never_listed(
    staff_client, caseworker, case, records, other_parent
):
    other = ServiceCase.objects.create(service_user=other_parent, opened_on=dt.date(2024, 1, 1))
    theirs = records.call.__class__.objects.create(
        case=other, kind=RecordKind.LETTER, date=dt.date(2024, 1, 1), title="Their letter"
    )

    response = staff_client(caseworker).get(records_url(case))

    assert theirs not in listed(response)
    assert "Their letter" not in response.content.decode()
    staff_client(caseworker).post(records_url(case), {"action": "attach", "records": [theirs.pk]})
    assert not SubjectCaseRecord.objects.exists()


# Choosing ------------------------------------------------------------------------


def test_ticked_records_are_added_and_removed_and_the_search_kept(
    staff_client, caseworker, case, records
):
    client = staff_client(caseworker)
    query = f"kinds={RecordKind.PHONE_CALL}&kinds={RecordKind.EMAIL}"

    response = client.post(
        records_url(case),
        {"action": "attach", "records": [records.call.pk, records.email.pk], "query": query},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{records_url(case)}?{query}"
    assert set(SubjectCaseRecord.objects.values_list("record_id", flat=True)) == {
        records.call.pk,
        records.email.pk,
    }
    page = client.get(response["Location"])
    assert shows(page, "2 records added to this request.")
    assert [r.selected for r in listed(page)] == [True, True]

    client.post(records_url(case), {"action": "detach", "records": [records.call.pk]})
    assert list(records_in_scope(case)) == [records.email]
    chosen = listed(client.get(records_url(case, show="selected")))
    assert chosen == [records.email]
    assert listed(client.get(records_url(case, show="not_selected"))) == [
        records.call,
        records.note,
        records.secret,
    ]
    actions = list(
        AuditEvent.objects.filter(action__in=["sar.records.attach", "sar.records.detach"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["sar.records.attach", "sar.records.detach"]


def test_nothing_ticked_says_so(staff_client, caseworker, case, records):
    response = staff_client(caseworker).post(records_url(case), {"action": "attach"}, follow=True)

    assert shows(response, "Tick the records to add to this request.")
    assert not SubjectCaseRecord.objects.exists()


def test_adding_every_record_found(staff_client, caseworker, case, records):
    staff_client(caseworker).post(
        records_url(case), {"action": "attach_all", "query": "date_from=2024-02-01"}
    )

    chosen = set(SubjectCaseRecord.objects.values_list("record_id", flat=True))
    assert chosen == {records.email.pk, records.note.pk, records.secret.pk}
    # The confidential record is chosen but stays out until decided.
    assert list(records_in_scope(case)) == [records.email, records.note]


# Shared in confidence -----------------------------------------------------------


def test_a_confidential_record_is_included_only_with_a_recorded_decision(
    staff_client, caseworker, case, records
):
    client = staff_client(caseworker)
    records_attach(subject_case=case, records=[records.secret], actor=caseworker)
    listing = client.get(records_url(case)).content.decode()
    assert "Yes; left out" in listing
    assert "Decide whether to include" in listing

    page = client.get(include_url(case, records.secret))
    assert SECRET_TEXT in page.content.decode()
    event = AuditEvent.objects.get(action="sar.record.viewed")
    assert (event.object_id, event.reason) == (str(records.secret.pk), CONFIDENTIAL_VIEW_PURPOSE)

    response = client.post(include_url(case, records.secret), {"reason": "  "})
    assert response.status_code == 200
    assert shows(response, DECISION_REASON_NEEDED)
    assert list(records_in_scope(case)) == []

    response = client.post(
        include_url(case, records.secret), {"reason": "The young person agreed on 3 May."}
    )
    assert response["Location"] == records_url(case)
    assert list(records_in_scope(case)) == [records.secret]
    page = client.get(include_url(case, records.secret)).content.decode()
    assert "The young person agreed on 3 May." in page


def test_only_a_confidential_record_of_the_requester_has_a_decision_page(
    staff_client, caseworker, case, records, other_parent
):
    client = staff_client(caseworker)
    other = ServiceCase.objects.create(service_user=other_parent, opened_on=dt.date(2024, 1, 1))
    theirs = records.call.__class__.objects.create(
        case=other,
        kind=RecordKind.CASE_NOTE,
        date=dt.date(2024, 1, 1),
        title="Theirs",
        shared_in_confidence_by_child=True,
    )

    assert client.get(include_url(case, records.call)).status_code == 404
    assert client.get(include_url(case, theirs)).status_code == 404


# The case page --------------------------------------------------------------------


def test_the_case_page_links_to_records_and_redaction_with_counts(
    staff_client, caseworker, case, records
):
    records_attach(
        subject_case=case, records=[records.call, records.email, records.secret], actor=caseworker
    )

    page = staff_client(caseworker).get(case_url(case)).content.decode()

    section = re.search(r'<section aria-labelledby="sar-records-heading">.*?</section>', page, re.S)
    assert section, "no Records and redaction section"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0)))
    assert "Records chosen 3 records" in text
    assert "1 shared in confidence, left out until decided" in text
    assert "In the response 2 records" in text
    # The email has nothing suggested; the call has four suggestions.
    assert "1 of 2 records reviewed" in text
    assert "4 suggestions undecided" in text
    assert records_url(case) in section.group(0)
    assert reverse("sar_admin:redaction", args=[case.pk]) in section.group(0)
    assert reverse("sar_admin:redaction_log", args=[case.pk]) in section.group(0)
