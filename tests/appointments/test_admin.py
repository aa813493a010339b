"""The staff screens in the Wagtail admin: who may open them (Caseworker and
Administrator; a content editor is refused), the diary's day and week views
with adjustments, marking and cancelling."""

import datetime

import pytest
from django.urls import reverse

from appointments.booking import Adjustments, slot_book
from appointments.models import BookingSettings, BookingStatus, Closure, Location
from portal.audit.models import AuditEvent
from tests.appointments.conftest import NOW, WEDNESDAY, at

pytestmark = pytest.mark.django_db

NINE = at(WEDNESDAY, 9)


@pytest.fixture
def made(bookable_request, parent, office, staff):
    return slot_book(
        access_request=bookable_request,
        location=office,
        start=NINE,
        actor=parent,
        now=NOW,
        adjustments=Adjustments(interpreter_language="Polish", step_free_access=True),
    )


def settings_url():
    settings = BookingSettings.load()
    return reverse("wagtailsettings:edit", args=["appointments", "bookingsettings", settings.pk])


def staff_urls(made):
    return [
        reverse("appointment_diary:day") + "?date=2027-03-24",
        reverse("appointment_diary:week") + "?start=2027-03-24",
        reverse("appointment_diary:booking", args=[made.pk]),
        reverse("appointment_diary:cancel", args=[made.pk]),
        reverse("appointment_locations:index"),
        reverse("appointment_locations:add"),
        reverse("appointment_locations:edit", args=[made.location_id]),
        reverse("appointment_staff:index"),
        reverse("appointment_staff:edit", args=[made.staff_id]),
        reverse("appointment_closures:index"),
        reverse("appointment_closures:add"),
        settings_url(),
    ]


@pytest.mark.parametrize("who", ["caseworker", "administrator"])
def test_booking_staff_open_every_appointment_screen(admin_client_for, made, who, request):
    client = admin_client_for(request.getfixturevalue(who))

    for url in staff_urls(made):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("who", ["content_editor", "safeguarding_lead"])
def test_other_staff_are_refused_every_appointment_screen(admin_client_for, made, who, request):
    client = admin_client_for(request.getfixturevalue(who))

    for url in staff_urls(made):
        response = client.get(url)
        # Wagtail's "no permission" answer: back to the dashboard with a message.
        assert response.status_code == 302, url
        assert response["Location"] == reverse("wagtailadmin_home"), url


def test_the_appointments_menu_is_shown_to_booking_staff_only(
    admin_client_for, caseworker, content_editor
):
    home = reverse("wagtailadmin_home")
    diary = reverse("appointment_diary:day")

    assert diary in admin_client_for(caseworker).get(home).content.decode()
    assert diary not in admin_client_for(content_editor).get(home).content.decode()


def test_a_parent_never_reaches_the_diary(client, parent, made):
    client.force_login(parent)

    response = client.get(reverse("appointment_diary:day"))

    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("appointment_diary:day"))
    assert made.request.reference not in response.content.decode()


def test_the_day_view_shows_times_in_london_with_the_adjustments(
    admin_client_for, caseworker, made
):
    response = admin_client_for(caseworker).get(
        reverse("appointment_diary:day") + "?date=2027-03-24"
    )

    text = response.content.decode()
    assert "9am to 10am" in text
    assert made.request.reference in text
    assert "Interpreter (Polish)" in text
    assert "Step-free access" in text
    assert str(made.staff) in text


def test_the_week_view_puts_each_appointment_on_its_day(admin_client_for, caseworker, made):
    response = admin_client_for(caseworker).get(
        reverse("appointment_diary:week") + "?start=2027-03-26"
    )

    text = response.content.decode()
    assert "Monday 22 March 2027" in text
    assert "Sunday 28 March 2027" in text
    wednesday = text.index("Wednesday 24 March 2027")
    assert wednesday < text.index("9am to 10am") < text.index("Thursday 25 March 2027")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "0001-01-08", "not a day"])
@pytest.mark.parametrize(("view", "parameter"), [("day", "date"), ("week", "start")])
def test_a_day_the_diary_cannot_show_shows_today(
    admin_client_for, caseworker, time_machine, view, parameter, day
):
    time_machine.move_to(NOW, tick=False)

    response = admin_client_for(caseworker).get(
        reverse(f"appointment_diary:{view}") + f"?{parameter}={day}"
    )

    assert response.status_code == 200
    assert "22 March 2027" in response.content.decode()


def test_opening_an_appointment_is_audited(admin_client_for, caseworker, made):
    admin_client_for(caseworker).get(reverse("appointment_diary:booking", args=[made.pk]))

    event = AuditEvent.objects.get(action="appointments.booking.viewed")
    assert event.actor == caseworker
    assert event.object_id == str(made.pk)


def test_marking_attended_after_it_started(admin_client_for, caseworker, made, time_machine):
    time_machine.move_to(made.start + datetime.timedelta(minutes=5), tick=False)
    client = admin_client_for(caseworker)

    page = client.get(reverse("appointment_diary:booking", args=[made.pk])).content.decode()
    assert "Mark as attended" in page
    response = client.post(reverse("appointment_diary:attended", args=[made.pk]))

    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == BookingStatus.ATTENDED


def test_marking_before_it_starts_is_refused_with_a_message(
    admin_client_for, caseworker, made, time_machine
):
    time_machine.move_to(NOW, tick=False)
    client = admin_client_for(caseworker)

    response = client.post(reverse("appointment_diary:no_show", args=[made.pk]), follow=True)

    assert "An appointment can only be marked once it has started." in response.content.decode()
    made.refresh_from_db()
    assert made.status == BookingStatus.BOOKED


def test_staff_cancel_with_a_reason_and_the_parent_gets_a_calendar_cancellation(
    admin_client_for, administrator, made, mailoutbox, django_capture_on_commit_callbacks
):
    client = admin_client_for(administrator)
    url = reverse("appointment_diary:cancel", args=[made.pk])

    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Enter why the appointment is cancelled." in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Office closed: flood"})

    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == BookingStatus.CANCELLED
    assert made.cancel_reason == "Office closed: flood"
    [message] = mailoutbox
    assert message.to == [made.request.requester.email]
    assert "flood" not in message.body
    [invite] = message.attachments
    assert invite.get_param("method") == "CANCEL"


def test_staff_add_a_location_and_a_closure(admin_client_for, administrator, staff):
    client = admin_client_for(administrator)

    response = client.post(
        reverse("appointment_locations:add"),
        {
            "name": "Library meeting room",
            "kind": "office",
            "address": "Central Library\nExampletown",
            "instructions": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Location.objects.filter(name="Library meeting room").exists()

    response = client.post(
        reverse("appointment_closures:add"),
        {"starts_on": "2027-04-01", "ends_on": "2027-04-02", "staff": staff.pk, "reason": "Leave"},
    )
    assert response.status_code == 302
    assert Closure.objects.get().staff == staff


def test_an_office_without_an_address_is_refused(admin_client_for, administrator):
    response = admin_client_for(administrator).post(
        reverse("appointment_locations:add"),
        {"name": "Nowhere", "kind": "office", "address": "", "is_active": "on"},
    )

    assert response.status_code == 200
    assert not Location.objects.filter(name="Nowhere").exists()


def test_staff_change_the_booking_rules(admin_client_for, caseworker, rules):
    response = admin_client_for(caseworker).post(
        settings_url(),
        {
            "slot_minutes": 45,
            "buffer_minutes": 10,
            "notice_working_days": 3,
            "horizon_weeks": 6,
            "change_cutoff_hours": 48,
        },
    )

    assert response.status_code == 302
    rules.refresh_from_db()
    assert (rules.slot_minutes, rules.notice_working_days, rules.change_cutoff_hours) == (
        45,
        3,
        48,
    )


def hours_form(user, office, *, opens, closes):
    return {
        "user": user.pk,
        "is_active": "on",
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "hours-0-id": "",
        "hours-0-location": office.pk,
        "hours-0-weekday": "2",
        "hours-0-opens": opens,
        "hours-0-closes": closes,
    }


def test_staff_set_a_persons_weekly_hours(admin_client_for, administrator, caseworker, office):
    from appointments.models import StaffMember

    response = admin_client_for(administrator).post(
        reverse("appointment_staff:add"),
        hours_form(caseworker, office, opens="09:30", closes="12:00"),
    )

    assert response.status_code == 302
    [hours] = StaffMember.objects.get(user=caseworker).hours.all()
    assert (hours.weekday, hours.opens, hours.closes) == (
        2,
        datetime.time(9, 30),
        datetime.time(12),
    )


def test_hours_that_close_before_they_open_are_an_error_not_a_crash(
    admin_client_for, administrator, caseworker, office
):
    from appointments.models import StaffMember

    response = admin_client_for(administrator).post(
        reverse("appointment_staff:add"),
        hours_form(caseworker, office, opens="12:00", closes="09:00"),
    )

    assert response.status_code == 200
    assert not StaffMember.objects.filter(user=caseworker).exists()
