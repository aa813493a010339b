"""The parent's "Your data" page: what the service holds about them in
numbers and dates, never the words of a record; who at the service looked at
their things and when, by role (or by name where the service says so),
never anyone else's and never a safeguarding lead's role; the page itself is
personal, audited and its queries do not grow with the trail."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from content.models import ContactDetails
from portal.audit.events import record
from portal.audit.models import AuditEvent
from sar import roles
from sar.admin_views.access import CASE_VIEW_PURPOSE
from sar.case_studies import CASE_STUDY_PURPOSE
from sar.demo import DEMO_PARENT_EMAIL, load_demo_case_file
from sar.models import Bundle, ConsentMethod, Record, ServiceCase
from sar.views.my_data import MY_DATA_PURPOSE
from tests.sar.admin_support import case_url, staff_client_fixture  # noqa: F401
from tests.sar.factories import ChildFactory
from tests.sar.views.journey import verify

pytestmark = pytest.mark.django_db

URL = reverse("sar:my_data")


@pytest.fixture(autouse=True)
def _private_cache(settings):
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sar-my-data",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def parent_client(parent):
    return verify(Client(), parent)


def page_text(client, **query) -> str:
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def staff_read(actor, obj, *, action="sar.case.viewed", reason=CASE_VIEW_PURPOSE):
    return record(action=action, actor=actor, obj=obj, reason=reason)


# What we hold ------------------------------------------------------------------


def test_the_case_file_is_counted_and_dated_never_quoted():
    load_demo_case_file()
    case = ServiceCase.objects.get(service_user__email=DEMO_PARENT_EMAIL)
    client = verify(Client(), case.service_user)
    records = Record.objects.filter(case=case)
    first, last = records.order_by("date").first().date, records.order_by("date").last().date

    page = page_text(client)

    assert "40 records, dated from" in page
    assert f"{first:%-d %B %Y}" in page and f"{last:%-d %B %Y}" in page
    assert "Case note" in page and "Phone call" in page
    # The child the case is about is theirs to see; the words of the records
    # and the other people in them are not shown here.
    assert case.children.get().full_name in page
    assert "reading support" not in page
    assert "01632" not in page
    for person in case.people.all():
        assert person.full_name not in page


def test_requests_consents_children_and_appointments_are_summed_up(parent, submit, caseworker):
    from sar.consent import consent_record

    child = ChildFactory(parent=parent, full_name="Ottilie Marchbanks")
    access_request = submit(children=[child])
    consent_record(
        recorded_by=caseworker,
        parent=parent,
        consent_given_by="The parent, by letter",
        what_information="Notes of the annual review",
        recipient="The school SENCo",
        purpose="Planning support",
        given_on=dt.date.today(),
        method=ConsentMethod.WRITTEN,
    )

    page = page_text(verify(Client(), parent))

    assert "We do not keep a case file about you." in page
    assert "Ottilie Marchbanks" in page
    assert access_request.reference in page
    assert "1 recorded, 1 in force now" in page
    assert "None booked" in page


def test_appointments_are_counted_as_your_appointments_lists_them(parent, submit, caseworker):
    """Still to come means booked and not yet over, as on "your appointments":
    one in progress counts, one over or cancelled does not."""
    from appointments.models import Booking, BookingStatus, Location, LocationKind, StaffMember

    location = Location.objects.create(name="Video call", kind=LocationKind.VIDEO)
    staff = StaffMember.objects.create(user=caseworker)
    now = timezone.now()

    def book(start, **fields):
        return Booking.objects.create(
            request=submit(),
            location=location,
            staff=staff,
            start=start,
            end=start + dt.timedelta(hours=1),
            booked_by=parent,
            **fields,
        )

    book(now - dt.timedelta(minutes=30))  # in progress
    book(now + dt.timedelta(days=2))
    book(now - dt.timedelta(days=2))  # over
    book(now + dt.timedelta(days=3), status=BookingStatus.CANCELLED, cancelled_by=parent)

    page = page_text(verify(Client(), parent))

    assert "2 booked, the next on" in page
    listed = verify(Client(), parent).get(reverse("appointments:list")).content.decode()
    assert listed.count('class="govuk-summary-card__title"') == 2


# Who has looked -------------------------------------------------------------------


def test_staff_reads_of_the_parents_things_are_listed_by_role(
    parent, other_parent, submit, make_user, staff_client
):
    case = submit().cases.get()
    other_case = submit(requester=other_parent).cases.get()
    caseworker = make_user(roles.CASEWORKER, full_name="Priya Caseworker")
    approver = make_user(roles.APPROVER, full_name="Ade Approver")
    lead = make_user(roles.SAFEGUARDING_LEAD, full_name="Sol Lead")
    # Real screens where they exist; the audit trail is the same either way.
    staff_client(caseworker).get(case_url(case))
    staff_client(approver).get(reverse("sar_admin:parent_consents", args=[parent.pk]))
    staff_client(lead).get(case_url(case))
    staff_client(caseworker).get(case_url(other_case))
    client = verify(Client(), parent)
    page_text(client)  # the parent's own look is not a staff read

    page = page_text(client)

    assert f"A caseworker looked at your request {case.request.reference}." in page
    assert "An approver looked at who you have agreed we can share information with." in page
    assert f"A member of staff looked at your request {case.request.reference}." in page
    assert "To answer your request for your records." in page
    assert "To check who you have agreed we can share information with." in page
    assert other_case.request.reference not in page
    for name in ("Priya", "Ade", "Sol", "afeguarding"):
        assert name not in page
    assert page.count('class="govuk-summary-list__row"') >= 3


def test_the_service_may_name_its_staff_but_never_a_safeguarding_lead(parent, submit, make_user):
    site = Site.objects.get(is_default_site=True)
    details = ContactDetails.for_site(site)
    details.show_staff_names = True
    details.save()
    case = submit().cases.get()
    staff_read(make_user(roles.CASEWORKER, full_name="Priya Patel"), case)
    staff_read(make_user(roles.SAFEGUARDING_LEAD, full_name="Sol Lead"), case)

    page = page_text(verify(Client(), parent))

    assert "Priya Patel (caseworker) looked at your request" in page
    assert "A member of staff looked at your request" in page
    assert "Sol Lead" not in page


def test_reads_of_records_bundles_case_studies_and_appointments_are_described(
    parent, submit, caseworker, make_user
):
    from appointments.models import Booking, Location, LocationKind, StaffMember

    service_case = ServiceCase.objects.create(
        service_user=parent, opened_on=dt.date(2024, 1, 1), caseworker=caseworker
    )
    note = Record.objects.create(
        case=service_case, kind="phone_call", date=dt.date(2024, 3, 4), title="Phone call"
    )
    case = submit().cases.get()
    bundle = Bundle.objects.create(subject_case=case, prepared_by=caseworker)
    location = Location.objects.create(name="Video call", kind=LocationKind.VIDEO)
    start = timezone.now() + dt.timedelta(days=3)
    booking = Booking.objects.create(
        request=case.request,
        location=location,
        staff=StaffMember.objects.create(user=caseworker),
        start=start,
        end=start + dt.timedelta(hours=1),
        booked_by=parent,
    )
    staff_read(caseworker, note, action="sar.record.viewed", reason="Redacting")
    staff_read(caseworker, bundle, action="sar.bundle.downloaded", reason="Checking")
    staff_read(
        caseworker, service_case, action="sar.case_study.exported", reason=CASE_STUDY_PURPOSE
    )
    staff_read(caseworker, booking, action="appointments.booking.viewed", reason="")
    # The parent downloading their own bundle is not a staff read.
    record(action="sar.bundle.downloaded", actor=parent, obj=bundle)

    page = page_text(verify(Client(), parent))

    assert (
        "A caseworker looked at a record in your case file (phone call, Monday 4 March 2024)."
        in page
    )
    assert (
        f"A caseworker downloaded the copy of your records for request {case.request.reference}."
        in page
    )
    assert "A caseworker made an anonymised copy of your case file." in page
    assert "To make a case study for training." in page
    assert "A caseworker looked at your appointment on" in page
    # A purpose written for staff is never shown as it is.
    assert "Redacting" not in page and "Checking" not in page
    assert page.count("To work on your case.") == 3
    assert page.count(" downloaded ") == 1


def test_the_list_is_paged_newest_first(parent, submit, caseworker):
    case = submit().cases.get()
    for _ in range(25):
        staff_read(caseworker, case)
    client = verify(Client(), parent)

    first = page_text(client)
    second = page_text(client, page=2)

    assert first.count("A caseworker looked at") == 20
    assert second.count("A caseworker looked at") == 5
    assert "Page 1 of 2" in first and 'href="?page=2#who-has-looked"' in first


def test_the_queries_do_not_grow_with_the_trail(parent, submit, make_user, caseworker):
    case = submit().cases.get()
    client = verify(Client(), parent)
    staff_read(caseworker, case)
    page_text(client)  # warm up sessions and site settings

    with CaptureQueriesContext(connection) as few:
        page_text(client)
    for role in (roles.CASEWORKER, roles.APPROVER, roles.ADMINISTRATOR) * 4:
        staff_read(make_user(role), case)
    with CaptureQueriesContext(connection) as many:
        page_text(client)

    assert len(many) == len(few)


# The page itself --------------------------------------------------------------------


def test_opening_the_page_is_an_audit_event_and_it_is_never_cached(parent):
    client = verify(Client(), parent)

    response = client.get(URL)

    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="sar.my_data.viewed")
    assert (event.actor, event.object_id, event.reason) == (parent, str(parent.pk), MY_DATA_PURPOSE)


def test_the_account_page_links_to_it(parent):
    client = verify(Client(), parent)

    assert URL in client.get(reverse("accounts:dashboard")).content.decode()


def test_staff_have_no_data_page(staff_client, caseworker):
    response = staff_client(caseworker).get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


def test_the_page_is_listed_as_personal():
    from portal.accounts.urls import PERSONAL_URL_NAMES

    assert "sar:my_data" in PERSONAL_URL_NAMES
