"""gunicorn imports the application once, in its master, and forks the
workers from it (``preload_app`` in portal/gunicorn.conf.py): that is safe
only while importing it connects to nothing and starts no thread, which a
fork would share between workers or lose."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

IMPORT_AND_LOOK = """
import threading
from django.db import connections
import portal.wsgi  # noqa: F401
opened = [c.alias for c in connections.all(initialized_only=True) if c.connection is not None]
threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
print(opened, threads)
"""


def test_importing_the_application_opens_no_connection_and_starts_no_thread():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_LOOK],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert result.stdout.strip().splitlines()[-1] == "[] []"


def test_gunicorn_forks_its_workers_from_the_imported_application():
    config: dict = {}
    exec((BASE_DIR / "portal" / "gunicorn.conf.py").read_text(), config)  # noqa: S102

    assert config["preload_app"] is True
