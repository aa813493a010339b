"""Tasks go through the outbox: a broker outage (Redis down) never loses the
change a person made nor the email that goes with it. The page answers as
usual, the task waits in a row, and the relay queues it once the broker is
back; a task delivered twice still sends one email."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django_q.models import Schedule

from portal.notifications.email import enqueue_notice
from portal.notifications.models import SentNotification
from portal.outbox import relay
from portal.outbox.models import PendingTask
from tests.broker import broker_unreachable, private_redis, queue_on_redis
from tests.cluster import running_cluster
from tests.portal.accounts.factories import ParentFactory

pytestmark = pytest.mark.django_db

SIGN_UP = reverse("accounts:sign_up")
PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # Sign-up counts attempts in the cache: a private one per test.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "outbox",
        }
    }


def sign_up(client, email):
    return client.post(
        SIGN_UP,
        {
            "full_name": "Alex Example",
            "email": email,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )


def test_a_queued_notice_leaves_no_row_behind(django_capture_on_commit_callbacks):
    parent = ParentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_notice(user=parent, template="records_ready")

    assert len(mail.outbox) == 1
    assert not PendingTask.objects.exists()


def test_nothing_waits_when_the_change_is_rolled_back():
    parent = ParentFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_notice(user=parent, template="records_ready")
        raise RuntimeError("the change failed")

    assert not PendingTask.objects.exists()


def test_signing_up_while_the_broker_is_down_saves_the_account_and_sends_the_email_later(
    django_capture_on_commit_callbacks, caplog
):
    with broker_unreachable() as url, django_capture_on_commit_callbacks(execute=True):
        response = sign_up(Client(), "new.parent@example.org")

    # The person sees the usual next page; the account is saved.
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign_up_done")
    assert get_user_model().objects.filter(email="new.parent@example.org").exists()
    assert mail.outbox == []
    pending = PendingTask.objects.get()
    assert pending.func == "django.core.mail.send_mail"
    assert pending.attempts == 1
    assert pending.last_error == "ConnectionError"
    # The log says what waits, not where the broker is nor who it is for.
    assert "could not be queued" in caplog.text
    assert url not in caplog.text and "new.parent@example.org" not in caplog.text

    # The broker is back (tasks run in this process again): the relay sends it.
    assert relay.relay_pending(grace=relay.datetime.timedelta(0)) == 1

    assert not PendingTask.objects.exists()
    [message] = mail.outbox
    assert message.to == ["new.parent@example.org"]
    assert "Confirm your email address" in message.subject


def test_the_relay_leaves_young_rows_to_their_own_request_and_stops_while_the_broker_is_down():
    parent = ParentFactory()
    with broker_unreachable():
        for _ in range(3):
            enqueue_notice(user=parent, template="request_update")
        # Queued after commit; in this test's transaction, nothing has been tried.
        assert PendingTask.objects.count() == 3
        assert relay.relay_pending() == 0  # all younger than the grace period
        later = relay.timezone.now() + relay.GRACE
        assert relay.relay_pending(now=later) == 0

    # One failure stops the run: the broker is down for all of them.
    assert list(PendingTask.objects.values_list("attempts", flat=True)) == [1, 0, 0]
    assert relay.waiting(now=later) == 3
    assert relay.relay_pending(now=later) == 3
    assert len(mail.outbox) == 3


def test_a_notice_delivered_twice_is_sent_once():
    parent = ParentFactory()
    with broker_unreachable():
        enqueue_notice(user=parent, template="records_ready")
    pending = PendingTask.objects.get()

    # Queued, but the row's deletion was lost: the relay queues it again.
    relay._push(pending)
    relay._push(pending)

    assert len(mail.outbox) == 1
    assert SentNotification.objects.filter(user=parent, template="records_ready").count() == 1


def test_the_relay_runs_every_minute_on_a_schedule():
    schedule = Schedule.objects.get(name=relay.SCHEDULE_NAME)

    assert schedule.func == relay.SCHEDULE_FUNC == "portal.outbox.tasks.relay_pending_task"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)
    assert relay.ensure_schedule().pk == schedule.pk


def test_pages_are_served_while_the_broker_is_down(client):
    from content.seed import publish_confidentiality_code

    publish_confidentiality_code()
    with broker_unreachable():
        assert client.get("/").status_code == 200
        assert client.get(reverse("accounts:sign_in")).status_code == 200
        assert client.get("/health/").status_code == 200
        assert client.get("/health/service/").status_code == 503


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_work_queued_during_a_redis_outage_is_done_by_the_same_workers_once_it_is_back(
    tmp_path, settings, monkeypatch
):
    with private_redis() as redis_server:
        settings.REDIS_URL = redis_server.url
        with queue_on_redis(redis_server.url), running_cluster(tmp_path) as cluster:
            _wait_for_heartbeat(cluster, monkeypatch)
            redis_server.stop()

            # Redis is down: the account is saved, its email waits.
            response = sign_up(Client(), "during.outage@example.org")
            assert response.status_code == 302
            assert PendingTask.objects.count() == 1
            time.sleep(2)  # the workers notice the outage

            redis_server.start()
            # The relay (the schedule's task, run here) queues it; the same
            # cluster, never restarted, sends it.
            assert relay.relay_pending(grace=relay.datetime.timedelta(0)) == 1
            body = cluster.wait_for_mail()[0].read_text()
            assert cluster.process.poll() is None

    assert "Confirm your email address" in body
    assert not PendingTask.objects.exists()


def _wait_for_heartbeat(cluster, monkeypatch, seconds: float = 60):
    from django_q.conf import Conf
    from django_q.status import Stat

    # The heartbeat's key is derived from the cluster's name once, at import.
    monkeypatch.setattr(Conf, "Q_STAT", f"django_q:{Conf.PREFIX}:cluster")
    cluster.wait_until(Stat.get_all, seconds=seconds, what="heartbeat")
