"""Consent to disclose in the admin: staff find the person, see their
consents (an audit event), and a caseworker records one through the domain
function; other staff and everyone else are refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from sar import consent, deadlines, roles
from sar.admin_views.consents import NO_SUCH_PERSON
from sar.models import ConsentMethod, ConsentToDisclose
from tests.sar.admin_support import case_url, shows, staff_client_fixture  # noqa: F401
from tests.sar.factories import ChildFactory

pytestmark = pytest.mark.django_db


def consents_url(person) -> str:
    return reverse("sar_admin:parent_consents", args=[person.pk])


def record_url(person) -> str:
    return reverse("sar_admin:consent_record", args=[person.pk])


def form_data(**overrides) -> dict:
    return {
        "child": "",
        "consent_given_by": "The parent, by letter",
        "what_information": "Notes of the annual review meeting",
        "recipient": "The school SENCo",
        "purpose": "Planning support for Year 7",
        "given_on": deadlines.today().isoformat(),
        "method": ConsentMethod.WRITTEN,
        "expires_on": "",
        **overrides,
    }


def test_a_caseworker_records_a_consent_from_the_requesters_case(
    staff_client, caseworker, parent, submit
):
    child = ChildFactory(parent=parent)
    case = submit().cases.get()
    client = staff_client(caseworker)
    assert consents_url(parent) in client.get(case_url(case)).content.decode()
    assert record_url(parent) in client.get(consents_url(parent)).content.decode()

    response = client.post(record_url(parent), form_data(child=child.pk))

    assert response["Location"] == consents_url(parent)
    recorded = ConsentToDisclose.objects.get()
    assert (recorded.parent, recorded.child, recorded.recorded_by) == (parent, child, caseworker)
    assert recorded.recipient == "The school SENCo"
    assert AuditEvent.objects.filter(action="sar.consent.record", actor=caseworker).exists()
    page = client.get(consents_url(parent)).content.decode()
    assert "The school SENCo" in page
    assert "In force" in page


def test_seeing_a_persons_consents_is_an_audit_event(staff_client, approver, parent):
    response = staff_client(approver).get(consents_url(parent))

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="sar.consent.viewed")
    assert event.actor == approver
    assert event.object_id == str(parent.pk)


def test_the_list_shows_withdrawn_and_expired_consents_for_what_they_are(
    staff_client, caseworker, parent
):
    old = consent.consent_record(
        recorded_by=caseworker,
        parent=parent,
        consent_given_by="Parent",
        what_information="Everything",
        recipient="Health visitor",
        purpose="Referral",
        given_on=datetime.date(2024, 1, 5),
        method=ConsentMethod.VERBAL,
        expires_on=datetime.date(2024, 6, 30),
    )
    withdrawn = consent.consent_record(
        recorded_by=caseworker,
        parent=parent,
        consent_given_by="Parent",
        what_information="Reports",
        recipient="Social care",
        purpose="Assessment",
        given_on=datetime.date(2025, 1, 5),
        method=ConsentMethod.WRITTEN,
    )
    consent.consent_withdraw(parent=parent, consent=withdrawn)

    page = staff_client(caseworker).get(consents_url(parent)).content.decode()

    assert old.recipient in page and "Expired 30 Jun 2024" in page
    assert "Withdrawn " in page


def test_staff_who_are_not_caseworkers_see_no_record_button_and_are_refused(
    staff_client, approver, parent
):
    client = staff_client(approver)
    assert record_url(parent) not in client.get(consents_url(parent)).content.decode()

    response = client.post(record_url(parent), form_data())

    assert response.status_code == 200
    assert shows(response, consent.CONSENT_RECORD_NOT_PERMITTED)
    assert not ConsentToDisclose.objects.exists()


def test_a_consent_given_in_the_future_is_refused_with_the_rule(staff_client, caseworker, parent):
    tomorrow = deadlines.today() + datetime.timedelta(days=1)

    response = staff_client(caseworker).post(
        record_url(parent), form_data(given_on=tomorrow.isoformat())
    )

    assert shows(response, consent.CONSENT_GIVEN_IN_FUTURE)
    assert not ConsentToDisclose.objects.exists()


def test_missing_details_are_asked_for_field_by_field(staff_client, caseworker, parent):
    response = staff_client(caseworker).post(record_url(parent), form_data(recipient="", method=""))

    assert shows(response, "Enter who the information may be disclosed to.")
    assert shows(response, consent.CONSENT_METHOD_INVALID)
    assert not ConsentToDisclose.objects.exists()


def test_only_the_persons_own_children_can_be_chosen(staff_client, caseworker, parent):
    someone_elses = ChildFactory()

    response = staff_client(caseworker).post(record_url(parent), form_data(child=someone_elses.pk))

    assert "Select a valid choice" in response.content.decode()
    assert not ConsentToDisclose.objects.exists()


def test_finding_a_person_by_email_address(staff_client, caseworker, parent):
    client = staff_client(caseworker)
    index = reverse("sar_admin:consents")

    found = client.get(index, {"email": parent.email.upper()})
    missing = client.get(index, {"email": "nobody@example.org"}, follow=True)

    assert found["Location"] == consents_url(parent)
    assert shows(missing, NO_SUCH_PERSON)


@pytest.mark.parametrize("typed", ["\x00", "parent\x00@example.org", "not an address", "é" * 300])
def test_anything_but_an_email_address_finds_nobody(staff_client, caseworker, parent, typed):
    response = staff_client(caseworker).get(reverse("sar_admin:consents"), {"email": typed})

    assert response.status_code == 200
    assert shows(response, NO_SUCH_PERSON)


def test_a_member_of_staff_has_no_consents_page(staff_client, caseworker, approver):
    assert staff_client(caseworker).get(consents_url(approver)).status_code == 404


def test_people_who_do_not_work_on_requests_are_refused(staff_client, make_user, parent):
    editor = staff_client(make_user("Content editor"))
    parent.email_verified_at = timezone.now()
    parent.save(update_fields=["email_verified_at"])
    as_parent = staff_client(parent)

    assert editor.get(consents_url(parent))["Location"] == reverse("wagtailadmin_home")
    assert editor.post(record_url(parent), form_data()).status_code == 302
    assert as_parent.get(consents_url(parent)).status_code == 302
    assert as_parent.post(record_url(parent), form_data()).status_code == 302
    assert not ConsentToDisclose.objects.exists()
    assert roles.is_case_staff(parent) is False
