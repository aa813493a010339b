"""Benchmark: what each parent page of the load test costs one web process.

Usage:
    .venv/bin/python tests/benchmarks/bench_pages.py [--requests 200]
        [--profile "a request"] [--profile-lines 40] [--sqlite]

The load test (``tests/load``) compares each parent page's p95 with the bare
view's (``/load-test/floor/``) under load; this prints what is behind that
ratio when nothing else is running: each page's processor time and number of
queries per request, measured in one process.

1. Creates a throwaway database (PostgreSQL on the local server, as the load
   test does, dropped at the end; or ``--sqlite``, a file in a temporary
   folder), migrates it, collects static files (hashed names) and seeds it
   with ``tests/load/seed.py`` (the demo content, parents with an
   authenticator app, a request to book for and a ready bundle).
2. Sets Django up with the load test's production settings (DEBUG off, the
   cached template loader that DEBUG off implies, the same middleware and
   the same database cache), signs a parent in through the real pages with
   the Django test client (password, then an authenticator code), and
   requests each page the locustfile requests: the bare view, my requests, a
   request (each of the parent's two), your appointments, the booking pages
   (which day, what time, check answers: the earlier answers posted first,
   as a parent would), and the download.
3. For each page: a few requests to warm it, one with the queries captured
   (their number), then ``--requests`` timed requests: the process's CPU
   time and the wall time per request, mean and p95.

``--profile NAME`` (repeatable, or ``all``) runs cProfile over the timed
requests of that page and prints the functions with the most cumulative
and own time. Not collected by pytest (addopts ignores tests/benchmarks).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOAD = ROOT / "tests" / "load"
for path in (ROOT, LOAD):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager, nullcontext  # noqa: E402
from types import SimpleNamespace  # noqa: E402

from names import FLOOR  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
WARM_UP = 10


@contextmanager
def _database(args, workdir: Path):
    if args.sqlite:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    from run import throwaway_database  # tests/load/run.py

    with throwaway_database(args) as url:
        yield url


def _environment(args, database_url: str, workdir: Path) -> dict[str, str]:
    """The load test's server environment (tests/load/run.py), with the
    test client's host allowed."""
    from run import server_env

    env = server_env(database_url, args, port=8000, workdir=workdir)
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    env["STATIC_HASHED"] = "true"  # as scripts/prod
    if args.sqlite:
        env["REDIS_URL"] = ""
    return env


def _seed(env: dict, workdir: Path) -> dict:
    def run(cmd):
        subprocess.run(cmd, cwd=ROOT, env=env, check=True)

    run([PY, "manage.py", "migrate", "--noinput", "-v0"])
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"])
    accounts = workdir / "accounts.json"
    run([PY, str(LOAD / "seed.py"), "--parents", "2", "--out", str(accounts)])
    return json.loads(accounts.read_text())["accounts"][0]


def _csrf(response) -> str:
    import re

    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert found, "no CSRF token on the page"
    return found.group(1)


def _radio_values(response, name: str) -> list[str]:
    import re

    text = response.content.decode()
    return re.findall(rf'name="{name}" type="radio" value="([^"]+)"', text) or re.findall(
        rf'type="radio"[^>]*name="{name}"[^>]*value="([^"]+)"', text
    )


def _post(client, url: str, data: dict, *, page) -> None:
    response = client.post(url, {**data, "csrfmiddlewaretoken": _csrf(page)})
    assert response.status_code == 302, (url, response.status_code)


def _sign_in(account: dict):
    import pyotp
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get("/account/sign-in/")
    _post(
        client,
        "/account/sign-in/",
        {"email": account["email"], "password": account["password"]},
        page=page,
    )
    page = client.get("/account/verify/")
    _post(
        client,
        "/account/verify/",
        {"action": "verify", "code": pyotp.TOTP(account["totp"]).now()},
        page=page,
    )
    return client


def _pages(client, account: dict) -> list[tuple[str, str, int]]:
    """(name, URL, expected status) in the locustfile's names; the booking
    answers are posted on the way so each booking page shows its question."""
    to_book, to_download = account["requests"]
    response = client.get("/appointments/book/")
    assert response.status_code == 302, response.status_code
    # Each question answered with its first choice (help: nothing to choose).
    for step, field in (("how", "location"), ("help", None), ("day", "date"), ("time", "start")):
        url = f"/appointments/book/{step}/"
        page = client.get(url)
        _post(client, url, {field: _radio_values(page, field)[0]} if field else {}, page=page)
    download = _download_url(client.get(f"/requests/{to_download}/"))
    return [
        (FLOOR, "/load-test/floor/", 200),
        ("my requests", "/requests/", 200),
        ("a request (to book)", f"/requests/{to_book}/", 200),
        ("a request (to download)", f"/requests/{to_download}/", 200),
        ("your appointments", "/appointments/", 200),
        ("book: which day", "/appointments/book/day/", 200),
        ("book: what time", "/appointments/book/time/", 200),
        ("book: check", "/appointments/book/check/", 200),
        ("download records", download, 200),
    ]


# "Your appointments" again once the parent has appointments (_leave_appointments).
BUSY_APPOINTMENTS = "your appointments (as in the load test)"


def _leave_appointments(account: dict) -> None:
    """Six appointments of the parent's request to book, as the load test's
    parents, who book and cancel again and again, leave them: one to come
    (its change and cancel links shown) and five cancelled (the past table).
    Rows written directly: the page only reads them."""
    import datetime as dt

    from django.utils import timezone

    from appointments.models import Booking, BookingStatus, Location, StaffMember
    from sar.models import AccessRequest

    access_request = AccessRequest.objects.get(reference=account["requests"][0])
    location = Location.objects.filter(is_active=True).first()
    staff = StaffMember.objects.filter(is_active=True).first()
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
    for day in range(6):
        Booking.objects.create(
            request=access_request,
            location=location,
            staff=staff,
            booked_by=access_request.requester,
            start=start + dt.timedelta(days=day),
            end=start + dt.timedelta(days=day, hours=1),
            status=BookingStatus.BOOKED if day == 0 else BookingStatus.CANCELLED,
            cancelled_by=None if day == 0 else access_request.requester,
        )


def _download_url(response) -> str:
    import re

    found = re.search(
        r'href="(/requests/[A-Z]{3}-\d{4}-\d{5,}/records/\d+/)"', response.content.decode()
    )
    assert found, "no download link on the request page"
    return found.group(1)


def _get(client, url: str, status: int):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _measure(client, name: str, url: str, status: int, args) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        _get(client, url, status)
    with CaptureQueriesContext(connection) as captured:
        _get(client, url, status)
    queries = [q["sql"] for q in captured.captured_queries]
    profiler = cProfile.Profile() if name in args.profile or "all" in args.profile else None
    cpu, wall, database = [], [], [0.0]
    collecting, collected = [0.0], [0.0, 0, 0, 0]  # seconds in GC, collections by generation

    def in_gc(phase, info):
        if phase == "start":
            collecting[0] = time.perf_counter()
        else:
            collected[0] += time.perf_counter() - collecting[0]
            collected[1 + info["generation"]] += 1

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            database[0] += time.perf_counter() - started

    server = _server_cpu_seconds()
    gc.callbacks.append(in_gc)
    try:
        with profiler or nullcontext(), connection.execute_wrapper(timed):
            for _ in range(args.requests):
                c0, w0 = time.process_time(), time.perf_counter()
                _get(client, url, status)
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
    finally:
        gc.callbacks.remove(in_gc)
    server = _server_cpu_seconds() - server
    orm_ms, template_ms = _breakdown(client, url, status, args) if args.breakdown else (0, 0)
    return {
        "name": name,
        "queries": queries,
        "orm_mean": orm_ms,
        "template_mean": template_ms,
        "database_mean": database[0] * 1000 / args.requests,
        "gc_mean": collected[0] * 1000 / args.requests,
        "server_cpu_mean": server * 1000 / args.requests,
        "gc_collections": tuple(collected[1:]),
        "cpu_mean": statistics.fmean(cpu),
        "cpu_p50": statistics.median(cpu),
        "cpu_p95": statistics.quantiles(cpu, n=20)[-1],
        "wall_mean": statistics.fmean(wall),
        "wall_p95": statistics.quantiles(wall, n=20)[-1],
        "profiler": profiler,
    }


def _server_cpu_seconds() -> float:
    """The processor time so far of the database server process serving this
    connection (PostgreSQL on this machine: its backend process), which the
    page's own CPU figure leaves out; 0 on SQLite or when unreadable."""
    import psutil
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


@contextmanager
def _stopwatch(owner, attribute: str, spent: list[float]):
    """Adds the wall time of every outermost call of ``owner.attribute`` to
    ``spent[0]`` while in the block."""
    original = getattr(owner, attribute)
    depth = [0]

    def timed(*args, **kwargs):
        depth[0] += 1
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                spent[0] += time.perf_counter() - started

    setattr(owner, attribute, timed)
    try:
        yield
    finally:
        setattr(owner, attribute, original)


def _breakdown(client, url: str, status: int, args) -> tuple[float, float]:
    """Mean ms per request inside the ORM's SQL compiler (building the SQL,
    running it, reading the rows; not making model instances) and inside
    template rendering (which may run queries of its own), in a pass of
    its own so the timers do not slow the timed requests."""
    from django.db.models.sql.compiler import SQLCompiler
    from django.template.backends.django import Template

    orm, template = [0.0], [0.0]
    with _stopwatch(SQLCompiler, "execute_sql", orm), _stopwatch(Template, "render", template):
        for _ in range(args.requests):
            _get(client, url, status)
    return orm[0] * 1000 / args.requests, template[0] * 1000 / args.requests


def _report(results: list[dict], args) -> None:
    width = max(len(r["name"]) for r in results) + 2
    print()
    print(
        f"{'page':<{width}}{'queries':>8}{'CPU ms':>9}{'CPU p50':>9}{'CPU p95':>9}{'wall ms':>9}"
        f"{'wall p95':>9}{'in SQL':>8}{'DB CPU':>8}{'in GC':>7}{'GC 0/1/2':>12}"
        + (f"{'ORM':>8}{'templ.':>8}" if args.breakdown else "")
    )
    for r in results:
        print(
            f"{r['name']:<{width}}{len(r['queries']):>8}{r['cpu_mean']:>9.2f}{r['cpu_p50']:>9.2f}"
            f"{r['cpu_p95']:>9.2f}{r['wall_mean']:>9.2f}{r['wall_p95']:>9.2f}"
            f"{r['database_mean']:>8.2f}{r['server_cpu_mean']:>8.2f}{r['gc_mean']:>7.2f}"
            f"{'/'.join(map(str, r['gc_collections'])):>12}"
            + (f"{r['orm_mean']:>8.2f}{r['template_mean']:>8.2f}" if args.breakdown else "")
        )
    print(
        f"\nMeans, medians and p95 over {args.requests} requests each, after {WARM_UP} to warm up; "
        "CPU is this process's; DB CPU the database server's for this connection "
        "(PostgreSQL's backend process, in clock ticks: coarse); in SQL is the wall "
        "time per request inside the database driver's execute; in GC the time "
        "in Python's garbage collector, and its collections by generation."
        + (
            " With --breakdown, a second pass: ORM is the wall time inside the SQL "
            "compiler (building, running, reading), templ. inside template rendering "
            "(queries run while rendering are in both)."
            if args.breakdown
            else ""
        )
    )
    if args.show_queries:
        for r in results:
            print(f"\n== {r['name']}: {len(r['queries'])} queries")
            for sql in r["queries"]:
                print(f"  {sql[: args.query_width]}")
    for r in results:
        if r["profiler"] is not None:
            print(f"\n== cProfile: {r['name']} ({args.requests} requests)")
            stats = pstats.Stats(r["profiler"]).strip_dirs()
            stats.sort_stats("cumulative").print_stats(args.profile_lines)
            if args.profile_callees:
                stats.print_callees(args.profile_callees)
            stats.sort_stats("tottime").print_stats(args.profile_lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument(
        "--profile", action="append", default=[], help="a page's name to profile, or all"
    )
    parser.add_argument("--profile-lines", type=int, default=35)
    parser.add_argument(
        "--profile-callees", default="", help="with --profile, what this function calls"
    )
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
    parser.add_argument(
        "--breakdown", action="store_true", help="time in the ORM and in templates (a 2nd pass)"
    )
    parser.add_argument("--query-width", type=int, default=160)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="freeze the objects made so far out of the garbage collector's reach, "
        "as gunicorn's master does before it forks the web processes",
    )
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args(argv)
    server_args = SimpleNamespace(**vars(args), log_level="WARNING", web_processes=2, qclusters=0)

    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        workdir = Path(tmp)
        (workdir / "mail").mkdir()
        with _database(server_args, workdir) as database_url:
            env = _environment(server_args, database_url, workdir)
            account = _seed(env, workdir)
            os.environ.clear()
            os.environ.update(env)
            os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
            import django

            django.setup()
            from django.conf import settings

            assert not settings.DEBUG
            client = _sign_in(account)
            if args.gc_freeze:
                from portal.wsgi import gc_freeze

                gc_freeze()
            results = [
                _measure(client, name, url, status, args)
                for name, url, status in _pages(client, account)
            ]
            _leave_appointments(account)
            results.append(_measure(client, BUSY_APPOINTMENTS, "/appointments/", 200, args))
            from django.db import connections

            connections.close_all()  # before the database is dropped
    _report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
