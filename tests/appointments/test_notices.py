"""The appointment emails go through portal.notifications' one path: the
notices are registered, their details (time, place, invite) are built from
the booking's id when sent, and a key sends each once."""

import pytest

from appointments.booking import slot_book
from appointments.notices import NOTICES, notice_key
from portal.notifications.email import DETAILS_BUILDERS
from portal.notifications.email import NOTICES as ALL_NOTICES
from portal.notifications.models import SentNotification
from portal.notifications.tasks import send_notice_task
from tests.appointments.conftest import NOW, WEDNESDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(bookable_request, parent, office, staff):
    return slot_book(
        access_request=bookable_request,
        location=office,
        start=at(WEDNESDAY, 9),
        actor=parent,
        now=NOW,
    )


def test_the_appointment_notices_are_registered_with_their_details():
    for template, subject in NOTICES.items():
        assert ALL_NOTICES[template] == subject
        assert template in DETAILS_BUILDERS


def test_a_queued_notice_carries_ids_only_and_is_sent_once(made, parent, mailoutbox):
    key = notice_key(made, "appointment_booked")

    send_notice_task(parent.pk, "appointment_booked", key, made.pk)
    send_notice_task(parent.pk, "appointment_booked", key, made.pk)

    assert len(mailoutbox) == 1
    assert SentNotification.objects.filter(key=key).count() == 1


def test_the_email_is_built_from_the_booking_as_it_is_when_sent(made, parent, mailoutbox):
    made.location.name = "Town Hall, Room 5"
    made.location.save()

    send_notice_task(parent.pk, "appointment_booked", None, made.pk)

    assert "Town Hall, Room 5" in mailoutbox[0].body


def test_an_appointment_notice_without_its_booking_is_refused(parent):
    with pytest.raises(ValueError, match="needs the id"):
        send_notice_task(parent.pk, "appointment_booked", None)


def test_a_failed_send_releases_the_key(made, parent, mailoutbox, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionError("SMTP server unavailable")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    key = notice_key(made, "appointment_booked")
    with pytest.raises(ConnectionError):
        send_notice_task(parent.pk, "appointment_booked", key, made.pk)

    assert not SentNotification.objects.filter(key=key).exists()
