"""The load test: the production shape under the parent journeys, measured.

    scripts/load                       # 20 users for 60 seconds
    scripts/load --users 20 --run-time 90 --max-requests 20000

1. Creates a throwaway PostgreSQL database on the local server (dropped at
   the end, whatever happens), migrates it, collects static files and seeds
   it (``seed.py``: demo content, parents with an authenticator app, requests
   to book for and ready bundles to download).
2. Starts the production shape (``scripts/prod``: gunicorn with two
   processes, two qclusters) on a free loopback port, against that database
   and the local Redis, with LOAD_TEST=true for the bare view.
3. Runs locust headless (``locustfile.py``) for a bounded time and number of
   requests, loopback only: a warm-up (``--warm-up`` seconds: users start,
   parents sign in, the web processes warm their caches), then the measured
   window (``--run-time`` seconds). The statistics are reset between the two,
   so every endpoint's percentiles come from the same steady window.
4. Prints requests per second and p50/p95/p99 per endpoint, the ratio of
   each parent page's p95 to the bare view's p95, and PASS/FAIL for the
   targets: each parent page's p95 at most ``--target-ratio`` (2) times the
   bare view's, and no failed request (in the warm-up either).

Exits 0 when every target passes, 1 otherwise. Nothing but 127.0.0.1 is
ever sent a request.
"""

import argparse
import csv
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PY = str(BASE_DIR / ".venv" / "bin" / "python")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from names import FLOOR, PARENT_PAGES  # noqa: E402  (after the path is set)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_admin(args) -> dict:
    return {"host": args.pg_host, "port": args.pg_port, "user": args.pg_user, "dbname": "postgres"}


@contextmanager
def throwaway_database(args):
    import psycopg
    from psycopg import sql

    name = f"portal_load_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(**_pg_admin(args), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"==> Created the throwaway database {name}", flush=True)
    try:
        yield f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{name}"
    finally:
        with psycopg.connect(**_pg_admin(args), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        print(f"==> Dropped {name}", flush=True)


def server_env(database_url: str, args, port: int, workdir: Path) -> dict:
    from cryptography.fernet import Fernet

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "Q_", "GUNICORN_"))
    }
    env.update(
        {
            "ENV_FILE": "/dev/null",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DEBUG": "false",
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # localhost: passkeys accept http only there.
            "BASE_URL": f"http://localhost:{port}",
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis_url,
            # A queue of this run's own on the shared Redis.
            "Q_CLUSTER_NAME": f"portal-load-{os.getpid()}",
            "EMAIL_URL": f"filemail:///{workdir / 'mail'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "LOAD_TEST": "true",
            "LOG_LEVEL": args.log_level,
            "WEB_CONCURRENCY": str(args.web_processes),
            "QCLUSTERS": str(args.qclusters),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "PROD_SKIP_SETUP": "1",
            # Many sign-ins from one address within minutes are the test, not an attack.
            "IP_MAX_FAILURES": "100000",
        }
    )
    return env


def run(cmd, env, **kwargs):
    subprocess.run(cmd, cwd=BASE_DIR, env=env, check=True, **kwargs)


def wait_until_ready(port: int, clusters: int, process, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    url = f"http://127.0.0.1:{port}/health/service/"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("The production shape stopped before it was ready.")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                body = json.load(response)
            if body.get("status") == "ok" and body.get("clusters", 0) >= clusters:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"The production shape was not ready within {seconds}s.")


@contextmanager
def production_shape(env, args, port: int, log_path: Path):
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(BASE_DIR / "scripts" / "prod")],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_ready(port, args.qclusters, process)
        print(
            f"==> The production shape is up on 127.0.0.1:{port} "
            f"({args.web_processes} gunicorn processes, {args.qclusters} qclusters)",
            flush=True,
        )
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # scripts/prod stops its children
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def run_locust(args, port: int, accounts: Path, workdir: Path) -> Path:
    prefix = workdir / "locust"
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": str(accounts),
        "LOAD_WAIT_MIN": str(args.wait_min),
        "LOAD_WAIT_MAX": str(args.wait_max),
        "LOAD_MAX_REQUESTS": str(args.max_requests),
        "LOAD_WARM_UP": str(args.warm_up),
        "LOAD_WARM_UP_FILE": str(workdir / "warm_up.json"),
    }
    cmd = [
        str(BASE_DIR / ".venv" / "bin" / "locust"),
        "-f",
        str(Path(__file__).resolve().parent / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.warm_up + args.run_time}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    print(
        f"==> locust: {args.users} users, {args.warm_up}s warm-up then {args.run_time}s "
        f"measured, at most {args.max_requests} requests",
        flush=True,
    )
    subprocess.run(
        cmd, cwd=BASE_DIR, env=env, timeout=args.warm_up + args.run_time + 120, check=False
    )  # its exit code says "some requests failed"; the report below says which
    return Path(f"{prefix}_stats.csv")


# What each process the production shape starts is, by its command line.
PARTS = (("gunicorn", "web"), ("qcluster", "queue workers"))


def processor_seconds(shape: subprocess.Popen) -> dict[str, float]:
    """Processor time (user and system) used so far by each part of the
    machine's load: the web (gunicorn and its workers), the queue workers
    (each qcluster and every process it started) and PostgreSQL (the server
    and every backend it has ended: a backend lives as long as one web
    request's connection). A process that has ended counts in its parent's
    children's time once reaped, so each part is its processes' own time
    plus their reaped children's."""
    import psutil

    def spent(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system + times.children_user + times.children_system

    totals = {"web": 0.0, "queue workers": 0.0, "PostgreSQL": 0.0}
    try:
        started = psutil.Process(shape.pid).children()
    except psutil.Error:
        started = []
    for top in started:
        try:
            command = " ".join(top.cmdline())
            part = next((p for word, p in PARTS if word in command), "")
            if part:
                totals[part] += sum(spent(p) for p in [top, *top.children(recursive=True)])
        except psutil.Error:
            continue
    for process in psutil.process_iter(["name", "ppid"]):
        try:
            # The postmaster: a "postgres" whose parent is not one.
            if process.info["name"] == "postgres" and (
                psutil.Process(process.info["ppid"]).name() != "postgres"
            ):
                totals["PostgreSQL"] += sum(spent(p) for p in [process, *process.children()])
        except psutil.Error:
            continue
    return totals


def warm_up_seen(workdir: Path) -> dict:
    """What the warm-up saw (written by the locustfile when it ended); empty
    when the run stopped before (``--max-requests``)."""
    path = workdir / "warm_up.json"
    return json.loads(path.read_text()) if path.exists() else {}


def report(stats_csv: Path, args, warm_up: dict) -> bool:
    rows = {row["Name"]: row for row in csv.DictReader(stats_csv.open())}
    total = rows.pop("Aggregated")
    width = max(len(name) for name in rows) + 2
    print()
    print(
        f"{'endpoint':<{width}}{'requests':>9}{'failures':>9}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    )
    for name in sorted(rows):
        row = rows[name]
        print(
            f"{name:<{width}}{row['Request Count']:>9}{row['Failure Count']:>9}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
        )
    print(
        f"{'all':<{width}}{total['Request Count']:>9}{total['Failure Count']:>9}"
        f"{float(total['Requests/s']):>8.1f}{total['50%']:>8}{total['95%']:>8}{total['99%']:>8}"
    )
    print()

    results = []
    floor = rows.get(FLOOR)
    floor_p95 = float(floor["95%"]) if floor else None
    for name in PARENT_PAGES:
        if name not in rows or not floor_p95:
            results.append((False, f"{name}: not measured"))
            continue
        ratio = float(rows[name]["95%"]) / floor_p95
        results.append(
            (
                ratio <= args.target_ratio,
                f"{name}: p95 {rows[name]['95%']} ms = {ratio:.1f} x the bare view's "
                f"{floor_p95:.0f} ms (target <= {args.target_ratio:g} x)",
            )
        )
    failures = int(total["Failure Count"])
    text = f"errors: {failures} of {total['Request Count']} requests"
    if warm_up:
        failures += warm_up["failures"]
        text += f", {warm_up['failures']} of {warm_up['requests']} in the warm-up"
        for error in warm_up["errors"]:
            print(f"warm-up failure: {error['name']}: {error['error']} (x{error['occurrences']})")
    results.append((failures == 0, text))
    if "download records" not in rows:
        print("note: no download was measured (no download link on the request page).")
    window = f"the {args.run_time}s after a {args.warm_up}s warm-up" if warm_up else "the whole run"
    print(f"Percentiles over {window}.")
    print(f"Under {args.users} concurrent users:")
    for passed, text in results:
        print(f"  {'PASS' if passed else 'FAIL'}  {text}")
    return all(passed for passed, _ in results)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument(
        "--run-time", type=int, default=60, help="measured seconds, after the warm-up (at most 600)"
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=30,
        help="seconds of load before the measured window (at most 120); 0 measures everything",
    )
    parser.add_argument("--max-requests", type=int, default=30000)
    parser.add_argument("--wait-min", type=float, default=0.5, help="think time, seconds")
    parser.add_argument("--wait-max", type=float, default=2.0)
    parser.add_argument("--parents", type=int, default=0, help="default: users + 10")
    parser.add_argument("--web-processes", type=int, default=2)
    parser.add_argument("--qclusters", type=int, default=2)
    parser.add_argument("--target-ratio", type=float, default=2.0)
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args(argv)
    args.run_time = min(args.run_time, 600)
    args.warm_up = max(0, min(args.warm_up, 120))
    if args.pg_host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("The load test only uses a database on this machine.")

    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    (workdir / "mail").mkdir()
    port = free_port()
    with throwaway_database(args) as database_url:
        env = server_env(database_url, args, port, workdir)
        print("==> Migrating, collecting static files and seeding", flush=True)
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        accounts = workdir / "accounts.json"
        parents = args.parents or args.users + 10
        run([PY, "tests/load/seed.py", "--parents", str(parents), "--out", str(accounts)], env)
        with production_shape(env, args, port, workdir / "server.log") as shape:
            before = processor_seconds(shape)
            locust_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            stats = run_locust(args, port, accounts, workdir)
            elapsed = time.monotonic() - started
            locust_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            after = processor_seconds(shape)
    passed = report(stats, args, warm_up_seen(workdir))
    used = {part: after[part] - before[part] for part in after}
    used["locust"] = (locust_after.ru_utime + locust_after.ru_stime) - (
        locust_before.ru_utime + locust_before.ru_stime
    )
    print(
        f"Processor time while locust ran ({elapsed:.0f} s, warm-up included, "
        f"{os.cpu_count()} cores): "
        + ", ".join(f"{part} {seconds:.0f} s" for part, seconds in used.items())
        + f"; {sum(used.values()) / elapsed:.2f} cores busy on average."
    )
    print(f"\nLogs and CSV files: {workdir}" if args.keep else "")
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
