"""A real django-q2 cluster for tests: `manage.py qcluster` in a subprocess on
the test database (and on Redis when REDIS_URL is set), stopped by its pid.

Used by the tests that prove a task runs through a real worker, not only
synchronously: ``with running_cluster(tmp_path) as cluster: ...``.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_q.conf import Conf
from django_q.tasks import fetch

WAIT_SECONDS = 60


@dataclass
class Cluster:
    process: subprocess.Popen
    mail_dir: Path
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until(self, check, *, seconds: float = WAIT_SECONDS, what: str = "it"):
        """``check()``'s first truthy answer, asked every half second while the
        cluster runs; fails with the cluster's log when none comes in ``seconds``."""
        deadline = time.monotonic() + seconds
        answer = None
        while time.monotonic() < deadline:
            answer = check()
            if answer or self.process.poll() is not None:
                break
            time.sleep(0.5)
        assert answer, f"no {what} within {seconds}s; qcluster log:\n{self.log_text()}"
        return answer

    def wait_for(self, task_id: str, *, seconds: float = WAIT_SECONDS):
        """The task's result once the cluster has run it; fails with the
        cluster's log when it has not within ``seconds`` or failed."""
        task = self.wait_until(lambda: fetch(task_id), seconds=seconds, what="result")
        assert task.success, f"task failed: {task.result}\nqcluster log:\n{self.log_text()}"
        return task

    def wait_for_mail(self, *, seconds: float = WAIT_SECONDS) -> list[Path]:
        """The emails the cluster has written, once there is at least one."""
        return self.wait_until(
            lambda: sorted(self.mail_dir.iterdir()), seconds=seconds, what="email"
        )


def test_database_url() -> str:
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


test_database_url.__test__ = False  # a helper, not a test


@contextmanager
def running_cluster(tmp_path: Path, *, env: dict[str, str] | None = None) -> Iterator[Cluster]:
    """Start `manage.py qcluster` on the test database; stop it by its pid.

    Emails go to files in ``mail_dir``. While it runs, tasks this process
    enqueues go to a queue of this cluster's own (the name is both the queue
    and the salt that signs tasks), so a task left on a shared Redis by
    another run is never taken, and ``async_task`` queues rather than running
    in this process (Q_SYNC is on for the tests). ``env`` adds to (or
    overrides) the cluster's environment, e.g. a short Q_TIMEOUT and Q_RETRY.
    """
    name = f"portal-test-{uuid.uuid4().hex[:12]}"
    saved = (Conf.PREFIX, Conf.CLUSTER_NAME, Conf.SYNC)
    Conf.PREFIX = Conf.CLUSTER_NAME = name
    Conf.SYNC = False
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "qcluster.log"
    cluster_env = {
        **os.environ,
        "ENV_FILE": "/dev/null",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "Q_SYNC": "false",
        "Q_WORKERS": "1",
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "LOG_LEVEL": "INFO",
        "Q_CLUSTER_NAME": name,
        # What `manage.py qcluster` takes by default; this process's own
        # DJANGO_SETTINGS_MODULE (the site's, set by pytest) would override it.
        "DJANGO_SETTINGS_MODULE": "portal.worker_settings",
        **(env or {}),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"],
            cwd=settings.BASE_DIR,
            env=cluster_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so its workers can be stopped with it.
            start_new_session=True,
        )
    try:
        yield Cluster(process=process, mail_dir=mail_dir, log=log_path)
    finally:
        _stop(process)
        Conf.PREFIX, Conf.CLUSTER_NAME, Conf.SYNC = saved


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        # The group is the one this helper created (start_new_session).
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
