"""gunicorn imports the application once, in its master, warms its caches
there and forks the workers from it (``preload_app`` and ``when_ready`` in
portal/gunicorn.conf.py): that is safe only while importing and warming
connect to nothing and start no thread, which a fork would share between
workers or lose."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

IMPORT_WARM_AND_LOOK = """
import json
import threading
from django.db import connections
from django.template import engines
import portal.wsgi
portal.wsgi.warm_up()
opened = [c.alias for c in connections.all(initialized_only=True) if c.connection is not None]
threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
loader = engines["django"].engine.template_loaders[0]
compiled = sorted(
    name for name in ("base.html", "sar/parent/requests.html", "appointments/question.html")
    if any(key.startswith(name) for key in loader.get_template_cache)
)
from sar.deadlines import _bank_holidays
print(json.dumps([opened, threads, compiled, _bank_holidays.cache_info().currsize]))
"""


def test_importing_and_warming_the_application_connect_to_nothing_and_start_no_thread():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_WARM_AND_LOOK],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    opened, threads, compiled, holiday_years = json.loads(result.stdout.strip().splitlines()[-1])
    assert opened == []
    assert threads == []
    # And what the workers inherit: templates compiled, this year's and next
    # year's bank holidays known.
    assert compiled == ["appointments/question.html", "base.html", "sar/parent/requests.html"]
    assert holiday_years == 2


def test_gunicorn_forks_its_workers_from_the_warmed_application():
    config: dict = {}
    exec((BASE_DIR / "portal" / "gunicorn.conf.py").read_text(), config)  # noqa: S102

    assert config["preload_app"] is True
    assert callable(config["when_ready"])


WHEN_READY_AND_LOOK = """
import gc
import json
import logging
import runpy

config = runpy.run_path("portal/gunicorn.conf.py")
class Server:
    log = logging.getLogger("gunicorn.error")
config["when_ready"](Server())
print(json.dumps([gc.get_freeze_count(), len(gc.get_objects())]))
"""


def test_the_master_puts_what_it_loaded_out_of_the_collectors_reach_before_forking():
    result = subprocess.run(
        [sys.executable, "-c", WHEN_READY_AND_LOOK],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    frozen, still_walked = json.loads(result.stdout.strip().splitlines()[-1])
    # Django, Wagtail and the warmed caches: what a full collection in a
    # worker no longer walks; what it still walks is what came after.
    assert frozen > 100_000
    assert still_walked < frozen / 100
