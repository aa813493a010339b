"""The reminders schedule run through a real django-q2 cluster: the ORM broker
on SQLite by default, Redis when REDIS_URL is set (as tests/portal/
test_queue_cluster.py, whose approach this follows).

The cluster's own guard loop calls django-q2's scheduler only every 30
seconds; the test calls that same scheduler function once itself, so the
schedule row becomes a queued task at once, and the real cluster, in its own
process, runs ``appointments.tasks.send_due_reminders`` against the test
database and sends the email. The queue gets a name of its own, so a cluster
of another test run on the same Redis never takes this task."""

import datetime

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule
from django_q.scheduler import scheduler

from appointments import reminders
from appointments.models import Booking
from portal.notifications.models import SentNotification
from tests.cluster import running_cluster

# serialized_rollback, as every transactional test (tests/conftest.py says why).
pytestmark = [
    pytest.mark.cluster,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cluster(tmp_path):
    with running_cluster(tmp_path) as cluster:
        yield cluster


def test_the_reminder_schedule_sends_a_due_reminder_through_a_real_cluster(
    cluster, bookable_request, parent, office, staff
):
    now = timezone.now()
    # Tomorrow, booked three days ago: the day-before reminder is due now.
    booking = Booking.objects.create(
        request=bookable_request,
        location=office,
        staff=staff,
        start=now + datetime.timedelta(hours=20),
        end=now + datetime.timedelta(hours=21),
        booked_by=parent,
        created_at=now - datetime.timedelta(days=3),
        scheduled_at=now - datetime.timedelta(days=3),
    )
    schedule = reminders.ensure_schedule()
    Schedule.objects.filter(pk=schedule.pk).update(next_run=now - datetime.timedelta(minutes=1))

    scheduler(broker=get_broker())

    schedule.refresh_from_db()
    assert schedule.task, "the scheduler queued no task"
    assert schedule.next_run > now
    task = cluster.wait_for(schedule.task)
    assert task.func == "appointments.tasks.send_due_reminders"
    assert task.result == 1

    key = f"appointment:{booking.pk}:appointment_reminder:0:{reminders.ONE_DAY}"
    assert SentNotification.objects.filter(key=key, user=parent).exists()
    # (The request's acknowledgement, queued when it was made, went too.)
    [body] = [
        text
        for text in (path.read_text() for path in cluster.mail_dir.iterdir())
        if "Reminder: your appointment" in text
    ]
    assert "Civic Centre, Room 2" in body
    assert parent.full_name not in body
