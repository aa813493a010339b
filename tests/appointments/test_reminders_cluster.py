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
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Schedule
from django_q.scheduler import scheduler
from django_q.tasks import fetch

from appointments import reminders
from appointments.models import Booking
from portal.notifications.models import SentNotification

# serialized_rollback, as every transactional test (tests/conftest.py says why).
pytestmark = [
    pytest.mark.cluster,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WAIT_SECONDS = 60


def _test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"
    pytest.skip(f"No cluster test for {connection.vendor}")


@pytest.fixture
def queue_name(monkeypatch):
    """A queue (and signing salt) of this test's own, here and in the cluster;
    tasks are queued, not run in this process (Q_SYNC is on for the tests)."""
    name = f"appointments-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(Conf, "PREFIX", name)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    monkeypatch.setattr(Conf, "SYNC", False)
    return name


@pytest.fixture
def cluster(tmp_path, queue_name):
    """Start `manage.py qcluster` on the test database; stop it by its pid."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "qcluster.log"
    env = {
        **os.environ,
        "ENV_FILE": "/dev/null",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "Q_SYNC": "false",
        "Q_WORKERS": "1",
        "Q_CLUSTER_NAME": queue_name,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "LOG_LEVEL": "INFO",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield {"mail_dir": mail_dir, "log": log_path, "process": process}
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        # The group is the one this test created (start_new_session).
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


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
    deadline = time.monotonic() + WAIT_SECONDS
    task = None
    while time.monotonic() < deadline:
        task = fetch(schedule.task)
        if task is not None or cluster["process"].poll() is not None:
            break
        time.sleep(0.5)
    log = cluster["log"].read_text(errors="replace")
    assert task is not None, f"no result within {WAIT_SECONDS}s; qcluster log:\n{log}"
    assert task.success, f"task failed: {task.result}\nqcluster log:\n{log}"
    assert task.func == "appointments.tasks.send_due_reminders"
    assert task.result == 1

    key = f"appointment:{booking.pk}:appointment_reminder:0:{reminders.ONE_DAY}"
    assert SentNotification.objects.filter(key=key, user=parent).exists()
    # (The request's acknowledgement, queued when it was made, went too.)
    [body] = [
        text
        for text in (path.read_text() for path in cluster["mail_dir"].iterdir())
        if "Reminder: your appointment" in text
    ]
    assert "Civic Centre, Room 2" in body
    assert parent.full_name not in body
