"""Fault: PostgreSQL restarted during traffic.

    scripts/faults            (or python tests/faults/pg_restart.py)

1. Starts a private PostgreSQL cluster (initdb in a temporary folder, on a
   free loopback port; the machine's own server is never touched), and
   migrates and seeds a database in it.
2. Starts the production shape (``scripts/prod``: gunicorn with two
   processes and two qclusters) on it, with persistent connections
   (CONN_MAX_AGE) and their health checks (CONN_HEALTH_CHECKS, in settings).
3. Sends traffic over loopback from a few threads (the home page and the
   confidentiality code, read from the database, and both health checks),
   restarts PostgreSQL in the middle (``pg_ctl stop -m fast``, three seconds
   down, ``pg_ctl start``) and keeps the traffic going for a while after.
4. Checks, and prints PASS/FAIL for each:
   - every request got an answer: no connection reset, no hang (a request
     that fails during the restart fails cleanly, with the 500 page or 503);
   - once PostgreSQL is back, every request succeeds again, within a few
     seconds;
   - the web processes were never restarted (the same gunicorn workers
     before and after), and the workers' heartbeat is back.

Bounded: about a minute, at most a few thousand requests, loopback only.
Exits 0 when everything passes.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PY = str(BASE_DIR / ".venv" / "bin" / "python")
PATHS = ("/", "/confidentiality-code/", "/health/", "/health/service/")
THREADS = 4
BEFORE_SECONDS = 6
AFTER_SECONDS = 20
DOWN_SECONDS = 3
# After PostgreSQL is back, every request must succeed from this long on.
RECOVERY_SECONDS = 5
MAX_REQUESTS = 5000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in versions:
        if (folder / name).exists():
            return str(folder / name)
    raise SystemExit(f"PostgreSQL's {name} is not installed.")


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of this script's own, in a temporary folder."""

    folder: Path
    port: int = field(default_factory=free_port)

    def _as_owner(self, args: list[str]) -> list[str]:
        # initdb and the server refuse to run as root: run them as postgres.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            self._as_owner(
                [
                    pg_bin("initdb"),
                    "-D",
                    str(self.data),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            self._as_owner(
                [
                    pg_bin("pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.folder / "postgres.log"),
                    "-o",
                    options,
                    "-w",
                    action,
                    *extra,
                ]
            ),
            check=True,
            capture_output=True,
        )

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextlib.contextmanager
def private_postgres():
    folder = Path(tempfile.mkdtemp(prefix="portal-faults-pg-"))
    server = PrivatePostgres(folder=folder)
    try:
        server.init()
        server.ctl("start")
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Outcome:
    at: float
    path: str
    status: int | None  # None: no HTTP answer at all
    error: str = ""


def traffic(base: str, stop: threading.Event, results: list[Outcome]) -> None:
    index = 0
    while not stop.is_set() and len(results) < MAX_REQUESTS:
        path = PATHS[index % len(PATHS)]
        index += 1
        started = time.monotonic()
        try:
            with urllib.request.urlopen(base + path, timeout=15) as response:  # noqa: S310
                results.append(Outcome(started, path, response.status))
        except urllib.error.HTTPError as error:
            results.append(Outcome(started, path, error.code))
        except OSError as error:
            results.append(Outcome(started, path, None, type(error).__name__))
        time.sleep(0.02)


def gunicorn_workers(prod_pid: int) -> set[int]:
    """The pids of the gunicorn worker processes under scripts/prod."""
    out = subprocess.run(
        ["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split(None, 2) for line in out.splitlines()[1:]]
    children = {int(pid) for pid, ppid, _ in rows if int(ppid) == prod_pid}
    masters = {int(pid) for pid, ppid, args in rows if int(pid) in children and "gunicorn" in args}
    return {int(pid) for pid, ppid, args in rows if int(ppid) in masters}


def service_health(base: str) -> dict:
    try:
        with urllib.request.urlopen(base + "/health/service/", timeout=5) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)
    except OSError:
        return {}


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise SystemExit(f"Timed out waiting for {what}.")


def main() -> int:
    from cryptography.fernet import Fernet

    workdir = Path(tempfile.mkdtemp(prefix="portal-faults-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with private_postgres() as pg:
        print(f"==> A private PostgreSQL on 127.0.0.1:{pg.port}", flush=True)
        pg.create_database("portal")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("Q_", "GUNICORN_"))},
            "ENV_FILE": "/dev/null",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "HTTPS": "false",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BASE_URL": f"http://localhost:{port}",
            "DATABASE_URL": pg.url("portal"),
            "CONN_MAX_AGE": "600",
            "REDIS_URL": os.environ.get("FAULTS_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "Q_CLUSTER_NAME": f"portal-faults-{os.getpid()}",
            "EMAIL_URL": "dummymail://",
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": "2",
            # No recycling after N requests: the workers must be the same
            # processes after the restart because nothing restarted them.
            "GUNICORN_MAX_REQUESTS": "0",
            "QCLUSTERS": "2",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "PROD_SKIP_SETUP": "1",
        }
        print("==> Migrating and loading the demo content", flush=True)
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run([PY, "manage.py", *command, "-v0"], cwd=BASE_DIR, env=env, check=True)
        subprocess.run(
            [PY, "manage.py", "publish_confidentiality_code"],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
        )
        log = (workdir / "server.log").open("wb")
        prod = subprocess.Popen(
            [str(BASE_DIR / "scripts" / "prod")],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(lambda: service_health(base).get("status") == "ok", 120, "the portal")
            # The workers are forks of a warmed master (portal/gunicorn.conf.py):
            # the first answers before the second exists.
            wait_for(lambda: len(gunicorn_workers(prod.pid)) == 2, 30, "both gunicorn workers")
            workers_before = gunicorn_workers(prod.pid)
            print(f"==> The production shape is up; gunicorn workers {sorted(workers_before)}")

            results: list[Outcome] = []
            stop = threading.Event()
            threads = [
                threading.Thread(target=traffic, args=(base, stop, results)) for _ in range(THREADS)
            ]
            for thread in threads:
                thread.start()
            time.sleep(BEFORE_SECONDS)
            print("==> Restarting PostgreSQL under traffic", flush=True)
            restart_started = time.monotonic()
            # A restart with the server down for a while: every connection is
            # cut, and new ones are refused until it is back.
            pg.ctl("stop", "-m", "fast")
            time.sleep(DOWN_SECONDS)
            pg.ctl("start")
            back_at = time.monotonic()
            print(f"==> PostgreSQL is back after {back_at - restart_started:.1f}s", flush=True)
            time.sleep(AFTER_SECONDS)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)

            workers_after = gunicorn_workers(prod.pid)
            wait_for(
                lambda: service_health(base).get("status") == "ok", 30, "the workers' heartbeat"
            )
            health = service_health(base)
        finally:
            prod.send_signal(signal.SIGTERM)
            try:
                prod.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(prod.pid, signal.SIGKILL)
            log.close()

    return report(results, restart_started, back_at, workers_before, workers_after, health, workdir)


def report(results, restart_started, back_at, workers_before, workers_after, health, workdir):
    during = [r for r in results if restart_started - 1 <= r.at <= back_at + RECOVERY_SECONDS]
    after = [r for r in results if r.at > back_at + RECOVERY_SECONDS]
    before = [r for r in results if r.at < restart_started - 1]
    unanswered = [r for r in results if r.status is None]
    unclean = [r for r in results if r.status is not None and r.status not in (200, 500, 503)]
    failed_after = [r for r in after if r.status != 200]
    failed_during = [r for r in during if r.status != 200]
    first_failure = min((r.at for r in during if r.status != 200), default=None)
    last_failure = max((r.at for r in during if r.status != 200), default=None)

    print()
    print(
        f"requests: {len(results)} ({len(before)} before, {len(during)} around the restart, "
        f"{len(after)} after)"
    )
    if first_failure is not None:
        print(
            f"failed around the restart: {len(failed_during)}, from "
            f"{first_failure - restart_started:+.1f}s to {last_failure - restart_started:+.1f}s "
            f"after it began; statuses "
            f"{sorted({r.status for r in failed_during if r.status is not None})}"
        )
    checks = [
        (not unanswered, f"every request was answered ({len(unanswered)} without an answer)"),
        (not unclean, f"failures were clean 500/503 pages ({len(unclean)} other statuses)"),
        (
            not [r for r in before if r.status != 200],
            "every request succeeded before the restart",
        ),
        (
            bool(after) and not failed_after,
            f"every request succeeded from {RECOVERY_SECONDS}s after PostgreSQL was back "
            f"({len(failed_after)} of {len(after)} failed)",
        ),
        (
            bool(workers_before) and workers_before == workers_after,
            f"the web processes were not restarted ({sorted(workers_before)} -> "
            f"{sorted(workers_after)})",
        ),
        (health.get("status") == "ok", f"service health after: {health}"),
    ]
    print("PostgreSQL restarted during traffic:")
    for passed, text in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {text}")
    passed = all(p for p, _ in checks)
    if passed:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"Logs: {workdir}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
