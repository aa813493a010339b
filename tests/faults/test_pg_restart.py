"""PostgreSQL restarted during traffic, as a test: runs the fault script
(``tests/faults/pg_restart.py``) on a private PostgreSQL cluster against the
production shape. In the PostgreSQL run only (CI's second run), where the
PostgreSQL binaries and Redis are there; about a minute."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.faults


def _redis_up() -> bool:
    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        return False


@pytest.mark.skipif(
    connection.vendor != "postgresql"
    or not (shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb")))
    or not _redis_up(),
    reason="needs the PostgreSQL run (DATABASE_URL=postgres://...), PostgreSQL's binaries "
    "and Redis on 127.0.0.1:6379",
)
def test_requests_fail_cleanly_and_recover_when_postgresql_restarts():
    result = subprocess.run(
        [sys.executable, "tests/faults/pg_restart.py"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=400,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "FAIL" not in result.stdout
    assert "PASS  every request succeeded from 5s after PostgreSQL was back" in result.stdout
    assert "PASS  the web processes were not restarted" in result.stdout
