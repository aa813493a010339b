"""A notice sent through a real django-q2 cluster: the ORM broker on SQLite by
default, Redis when REDIS_URL is set (CI runs both)."""

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
from django_q.tasks import async_task, fetch

from portal.notifications.models import SentNotification

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def _test_database_url() -> str:
    """The URL of the test database this process is using, for the cluster."""
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
def cluster(tmp_path):
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
        # The cluster's name is also the salt that signs queued tasks, so it
        # stays the one this process enqueues with (settings' Q_CLUSTER name).
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
            # Its own process group, so its workers can be stopped with it.
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


def test_notice_is_sent_by_a_real_cluster(cluster, django_user_model):
    parent = django_user_model.objects.create_user(
        email="queued.parent@example.org", password="a-long-password-1", first_name="Robin"
    )
    key = f"records_ready:{uuid.uuid4().hex}"

    task_id = async_task(
        "portal.notifications.tasks.send_notice_task",
        parent.pk,
        "records_ready",
        key,
        sync=False,
    )

    deadline = time.monotonic() + WAIT_SECONDS
    task = None
    while time.monotonic() < deadline:
        task = fetch(task_id)
        if task is not None or cluster["process"].poll() is not None:
            break
        time.sleep(0.5)
    log = cluster["log"].read_text(errors="replace")
    assert task is not None, f"no result within {WAIT_SECONDS}s; qcluster log:\n{log}"
    assert task.success, f"task failed: {task.result}\nqcluster log:\n{log}"

    assert SentNotification.objects.filter(key=key, user=parent).exists()
    files = list(cluster["mail_dir"].iterdir())
    assert len(files) == 1
    body = files[0].read_text()
    assert "Your records are ready" in body
    assert "Robin" not in body
