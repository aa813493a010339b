"""Benchmark: the whole bundle job against WeasyPrint rendering the same HTML in one call.

Usage:
    .venv/bin/python tests/benchmarks/bench_bundle.py [--sizes 50,200,500]
        [--processes 2] [--chunk-size 50] [--repeat 3] [--keep DIR]

It makes a throwaway SQLite database and media directory (never the portal's
own), migrates it, and for each size stores a fictional case file of that many
records (about a page each; text encrypted at rest like real records), selects
them for a subject case in review, accepts every redaction suggestion, as
the caseworker's review would, and prepares the bundle as the caseworker's
button does (each timed apart: that is the review, not the job).
Then, each in a fresh process so peaks are clean:

(a) "single": WeasyPrint alone rendering the complete bundle (the same cover
    letter, contents and redacted records, with header and page numbers in CSS
    margin boxes) as one tagged PDF/UA-1 document, in one call;
(b) "job": exactly what the django-q2 task runs, ``sar.bundles.run.bundle_run``:
    gather the records in scope (decrypting them), apply the accepted
    redactions, build the HTML, render in chunks in worker processes, number,
    merge, encrypt and store the PDF with its SHA-256, in a process set up as
    a django-q2 worker is (``portal.worker_settings``, what ``manage.py
    qcluster`` takes: the site less the admin's applications). The fork server
    is started first and a small bundle prepared, timed apart: a django-q2
    worker starts the server once, not per bundle, and has loaded what the
    first bundle loads once (templates, the detectors' metadata).

Each size runs (a) then (b) ``--repeat`` times, back to back (the bundle
prepared again before each job), and reports the median pair by its ratio:
on these shared machines the speed of the same work drifts by a quarter over
minutes, so one pair alone can land on either side of the target.

It prints seconds, pages, pages per second, the ratio job/single, and the peak
RSS of the largest process of each: for (a) the one process; for (b) the
largest VmHWM (the kernel's exact peak RSS) of the calling (Django) process,
of each process rendering or merging (each reports its own as it ends), and of
the fork server they are forked from (read when the job has finished). Nothing
samples during the job: a psutil sampler walking /proc every 20 ms cost a
fifth of a core, charged to the job it was measuring.
Targets (issue 5): job <= 0.5x single at 500 records; every process < 150 MB at
every size; cost linear in records. Not collected by pytest.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests" / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from unittest import mock  # noqa: E402

from bench_render import make_case_file, run_single  # noqa: E402

TARGET_RATIO = 0.5
TARGET_MB = 150.0
# The small bundle a worker has prepared before the measured one.
WARM_UP_RECORDS = 5
STAFF_EMAIL = "bench.caseworker@example.org"


def _environment(workdir: Path, args) -> dict[str, str]:
    """The children's environment: a throwaway database, media and keys."""
    from cryptography.fernet import Fernet

    key_file = workdir / "key"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "benchmark-only-not-a-secret",
        "ENCRYPTION_KEYS": key_file.read_text(),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "REDIS_URL": "",
        "Q_SYNC": "true",
        "DEBUG": "false",
        "HTTPS": "false",
        "EMAIL_URL": "memorymail://",
        "BUNDLE_RENDER_PROCESSES": str(args.processes),
        "BUNDLE_CHUNK_SIZE": str(args.chunk_size),
    }


def _setup_django() -> None:
    import django

    django.setup()


# -- the case file -------------------------------------------------------------


def seed(size: int, *, requester: str = "jane", reference: str = "") -> dict:
    """A requester, their service case with ``size`` records, a subject case in
    review with every record selected and every suggestion accepted, and a
    prepared bundle. Returns the ids and the review's and preparing's times."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from sar import roles
    from sar.bundles.prepare import bundle_prepare
    from sar.models import (
        AccessRequest,
        CaseStatus,
        Person,
        Record,
        RecordKind,
        RedactedField,
        Redaction,
        RedactionSource,
        Scope,
        ServiceCase,
        SubjectCase,
        SubjectCaseRecord,
        SubjectKind,
    )
    from sar.redaction import ReasonCode
    from sar.redactions import people_for, suggestions_for
    from tests.sar.factories import confidentiality_revision

    User = get_user_model()
    staff, _ = User.objects.get_or_create(
        email=STAFF_EMAIL, defaults={"full_name": "Casey Worker", "is_staff": True}
    )
    staff.groups.add(Group.objects.get(name=roles.CASEWORKER))
    requester = User.objects.create(
        email=f"{requester}.{size}@example.org", full_name="Jane Parent"
    )
    raw_records, people, _subjects = make_case_file(size)
    service_case = ServiceCase.objects.create(
        service_user=requester, opened_on=dt.date(2021, 9, 1), caseworker=staff
    )
    Person.objects.bulk_create(
        Person(
            case=service_case,
            full_name=person.full_name,
            role=person.role,
            is_professional=person.is_professional,
        )
        for person in people
    )
    kinds = {
        "Case note": RecordKind.CASE_NOTE,
        "Phone call": RecordKind.PHONE_CALL,
        "Email": RecordKind.EMAIL,
        "Letter": RecordKind.LETTER,
        "Meeting note": RecordKind.MEETING_NOTE,
    }
    records = Record.objects.bulk_create(
        Record(
            case=service_case,
            kind=kinds[raw.kind],
            date=raw.date,
            author=staff,
            title=raw.kind,
            body=raw.text,
        )
        for raw in raw_records
    )
    now = timezone.now()
    access_request = AccessRequest.objects.create(
        reference=reference or f"SAR-2025-{size:05d}",
        requester=requester,
        about_requester=True,
        scope=Scope.EVERYTHING,
        delivery="download",
        code_revision=confidentiality_revision(),
        acknowledged_at=now,
        received_at=now,
        clock_started_on=now.date(),
        due_on=now.date() + dt.timedelta(days=30),
    )
    case = SubjectCase.objects.create(
        request=access_request, kind=SubjectKind.REQUESTER, status=CaseStatus.IN_REVIEW
    )
    SubjectCaseRecord.objects.bulk_create(
        SubjectCaseRecord(subject_case=case, record=record, added_by=staff) for record in records
    )
    started = time.perf_counter()
    subject_people = people_for(case)
    decisions = []
    for record in Record.objects.filter(case=service_case):
        for field, suggestions in suggestions_for(record, subject_people).items():
            text = getattr(record, field) or ""
            decisions += [
                Redaction(
                    subject_case=case,
                    record=record,
                    source=RedactionSource.SUGGESTED,
                    field=RedactedField(field),
                    start=s.start,
                    end=s.end,
                    suggestion_kind=s.kind,
                    reason_code=ReasonCode.THIRD_PARTY,
                    excerpt=text[s.start : s.end],
                    decided_by=staff,
                )
                for s in suggestions
            ]
    Redaction.objects.bulk_create(decisions)
    review_seconds = time.perf_counter() - started
    # "Prepare bundle", as the caseworker's button does it (it checks that every
    # suggestion is decided, and remembers each record found complete); the
    # task it queues is run below, in its own process, so it is not queued here.
    started = time.perf_counter()
    with mock.patch("sar.bundles.prepare._enqueue_on_commit"):
        bundle = bundle_prepare(subject_case=case, actor=staff)
    prepare_seconds = time.perf_counter() - started
    return {
        "case": case.pk,
        "bundle": bundle.pk,
        "generation": bundle.generation,
        "redactions": len(decisions),
        "review_seconds": review_seconds,
        "prepare_seconds": prepare_seconds,
    }


def prepare_again(case_id: int) -> tuple[int, int]:
    """The case's bundle prepared again (a new generation, as the caseworker's
    button does it), for another measured run of the job: (bundle, generation)."""
    from django.contrib.auth import get_user_model

    from sar.bundles.prepare import bundle_prepare
    from sar.models import SubjectCase

    staff = get_user_model().objects.get(email=STAFF_EMAIL)
    with mock.patch("sar.bundles.prepare._enqueue_on_commit"):
        bundle = bundle_prepare(subject_case=SubjectCase.objects.get(pk=case_id), actor=staff)
    return bundle.pk, bundle.generation


def single_call_html(case_id: int, bundle_id: int) -> str:
    """The bundle's content as one HTML document, numbered by CSS margin boxes,
    built by the job's own functions."""
    from sar.bundles.build import front_matter, header_text, record_html
    from sar.models import Bundle, SubjectCase
    from sar.pdf.html import contents_html, css_string, front_matter_html, records_html
    from sar.records import records_in_scope
    from sar.redactions import decisions_for, redacted_record

    case = SubjectCase.objects.select_related("request__requester").get(pk=case_id)
    bundle = Bundle.objects.get(pk=bundle_id)
    decisions = decisions_for(case)
    records = [
        record_html(redacted_record(record, decisions.get(record.pk)))
        for record in records_in_scope(case).select_related("author")
    ]
    front = front_matter(case, bundle, withheld=0)

    def body(html: str) -> str:
        return html[html.index("<body>") + len("<body>") : html.index("</body>")]

    letter = front_matter_html(front=front)
    contents = contents_html(
        reference=front.reference, records=records, pages=["000"] * len(records), start=1,
        first_part=True,
    )  # fmt: skip
    chunk = records_html(reference=front.reference, records=records, first_chunk=True)
    margins = (
        '@page { @top-center { content: "' + css_string(header_text(front)) + '"; '
        'font-size: 8.5pt; } @bottom-center { content: "Page " counter(page) " of " '
        "counter(pages); font-size: 9pt; } }"
    )
    letter = letter.replace("</style>", margins + "\n</style>", 1)
    rest = f'<div class="section">{body(contents)}</div><div class="section">{body(chunk)}</div>'
    return letter.replace("</body>", rest + "\n</body>", 1)


# -- child processes -----------------------------------------------------------


def run_job(bundle_id: int, generation: int, warm_id: int, warm_generation: int) -> dict:
    import hashlib

    import sar.pdf
    from sar.bundles.run import bundle_run
    from sar.encryption import read_encrypted_file
    from sar.models import Bundle
    from sar.pdf import prepare_renderer
    from sar.pdf.jobs import peak_rss_mb
    from sar.pdf.render import RenderStats

    # The job's own render, with a stats record to fill: every worker reports its
    # CPU time and peak (VmHWM).
    stats = RenderStats()
    render_bundle_file = sar.pdf.render_bundle_file

    def render_with_stats(out_path, **kwargs):
        render_bundle_file(out_path, **{**kwargs, "stats": stats})
        if kwargs.get("stats") is not None:  # the job's own record, which it stores
            vars(kwargs["stats"]).update(vars(stats))

    sar.pdf.render_bundle_file = render_with_stats
    warm_started = time.perf_counter()
    prepare_renderer()
    # A django-q2 worker is long-lived: before this bundle it has prepared
    # others, so what the first job loads once (templates, the detectors'
    # phone-number metadata, the pool's machinery) is already loaded. One small
    # bundle first, so the figures are this job's own.
    bundle_run(bundle_id=warm_id, generation=warm_generation)
    base_mb = peak_rss_mb()
    started = time.perf_counter()
    cpu_started = time.process_time()
    outcome = bundle_run(bundle_id=bundle_id, generation=generation)
    finished = time.perf_counter()
    parent_cpu = time.process_time() - cpu_started
    bundle = Bundle.objects.get(pk=bundle_id)
    verified = hashlib.sha256(read_encrypted_file(bundle.file)).hexdigest() == bundle.sha256
    return {
        "outcome": str(outcome),
        "error": bundle.error,
        "seconds": finished - started,
        "startup_seconds": started - warm_started,  # fork server and the small bundle
        "parent_cpu_seconds": parent_cpu,
        "workers_cpu_seconds": stats.worker_cpu_seconds,
        "worker_peak_mb": max(stats.worker_peak_rss_mb, default=0.0),
        "phases": stats.seconds,
        "pages": bundle.page_count,
        "size_bytes": bundle.size_bytes,
        "sha256_verified": verified,
        "parent_base_mb": base_mb,
        "parent_peak_mb": peak_rss_mb(),
        # Of which this process's own (not shared libraries' pages) at the end.
        "parent_anon_mb": _status_mb("RssAnon"),
        # Still running: the fork server (its peak is its own, from loading WeasyPrint).
        "server_peak_mb": _descendants_peak_mb(),
    }


def _status_mb(field: str, pid: str = "self") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _descendants_peak_mb() -> float:
    """The largest VmHWM of this process's live descendants (the fork server)."""
    import psutil

    peaks = [0.0]
    for child in psutil.Process().children(recursive=True):
        try:
            peaks.append(_status_mb("VmHWM", str(child.pid)))
        except OSError:  # ended meanwhile
            continue
    return max(peaks)


def _child(env: dict[str, str], *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, env=env
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- main ------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,200,500")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=50)
    parser.add_argument("--keep", help="directory to keep the database and PDFs in")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="pairs (single, then job) run at each size; the median pair is reported",
    )
    parser.add_argument("--single", nargs=2, metavar=("HTML", "PDF"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--job",
        nargs=4,
        type=int,
        metavar=("BUNDLE", "GEN", "WARM_BUNDLE", "WARM_GEN"),
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args(argv)

    if args.single:  # WeasyPrint alone: no Django in this process
        print(json.dumps(run_single(*args.single)))
        return 0
    if args.job:
        _setup_django()
        print(json.dumps(run_job(*args.job)))
        return 0

    workdir = Path(args.keep or tempfile.mkdtemp(prefix="bench-bundle-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = _environment(workdir, args)
    os.environ.update(env)
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    print(f"cores: {os.cpu_count()}, processes: {args.processes}, chunk size: {args.chunk_size}")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = (
        f"{'records':>7} {'pages':>5} | {'single s':>8} {'cpu s':>6} {'p/s':>5} {'MB':>5} | "
        f"{'job s':>6} {'cpu s':>6} {'p/s':>5} {'MB max':>6} {'parent':>11} {'own':>4} | "
        f"{'ratio':>5} {'s/100 rec':>9} {'start':>5} {'review':>6} {'prep':>5}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    rows = []
    for size in sizes:
        seeded = seed(size)
        warm = seed(WARM_UP_RECORDS, requester=f"warm.{size}", reference=f"SAR-2024-{size:05d}")
        html_path = workdir / f"single-{size}.html"
        html_path.write_text(single_call_html(seeded["case"], seeded["bundle"]))
        # This machine's speed drifts by a quarter over minutes (other guests on
        # its host): each pair is measured back to back and the median pair (by
        # its ratio) reported, the others' ratios shown beside it.
        pairs = []
        for attempt in range(args.repeat):
            if attempt:
                seeded["bundle"], seeded["generation"] = prepare_again(seeded["case"])
                warm["bundle"], warm["generation"] = prepare_again(warm["case"])
            single = _child(env, "--single", str(html_path), str(workdir / f"single-{size}.pdf"))
            job = _child(
                # The settings a django-q2 worker runs with (manage.py qcluster's).
                {**env, "DJANGO_SETTINGS_MODULE": "portal.worker_settings"},
                "--job",
                *(str(n) for n in (seeded["bundle"], seeded["generation"])),
                *(str(n) for n in (warm["bundle"], warm["generation"])),
            )
            if job["outcome"] != "ready" or not job["sha256_verified"]:
                print(f"{size}: the job did not produce a verified bundle: {job}")
                return 1
            pairs.append((job["seconds"] / single["seconds"], single, job))
        ratios = [pair[0] for pair in pairs]
        ratio, single, job = sorted(pairs, key=lambda pair: pair[0])[len(pairs) // 2]
        # Memory: the largest of any run.
        job = {
            **job,
            **{
                key: max(pair[2][key] for pair in pairs)
                for key in ("parent_peak_mb", "worker_peak_mb", "server_peak_mb")
            },
        }
        job_mb = max(job["parent_peak_mb"], job["worker_peak_mb"], job["server_peak_mb"])
        rows.append(
            {
                "records": size,
                "seeded": seeded,
                "single": single,
                "job": job,
                "ratio": ratio,
                "ratios": ratios,
                "runs": [{"single": pair[1], "job": pair[2]} for pair in pairs],
            }
        )
        print(
            f"{size:>7} {job['pages']:>5} | {single['seconds']:>8.1f} "
            f"{single['cpu_seconds']:>6.1f} "
            f"{single['pages'] / single['seconds']:>5.1f} {single['peak_mb']:>5.0f} | "
            f"{job['seconds']:>6.1f} "
            f"{job['parent_cpu_seconds'] + job['workers_cpu_seconds']:>6.1f} "
            f"{job['pages'] / job['seconds']:>5.1f} {job_mb:>6.0f} "
            f"{job['parent_base_mb']:>4.0f}->{job['parent_peak_mb']:>5.0f} "
            f"{job['parent_anon_mb']:>4.0f} | {ratio:>5.2f} "
            f"{job['seconds'] / size * 100:>9.2f} {job['startup_seconds']:>5.1f} "
            f"{seeded['review_seconds']:>6.1f} {seeded['prepare_seconds']:>5.1f}"
            f"  (ratios: {', '.join(f'{r:.2f}' for r in ratios)})",
            flush=True,
        )
        if job_mb >= TARGET_MB:
            ok = False
    print()
    print("job = sar.bundles.run.bundle_run, what the django-q2 task runs: records gathered and")
    print("decrypted, accepted redactions applied, HTML built, chunks rendered by worker")
    print("processes, contents numbered, merged and stamped, encrypted and stored with SHA-256.")
    print("single = WeasyPrint alone, the same content in one call, in its own process.")
    print(f"Each size: {args.repeat} pairs (single, then job, back to back); the median pair by")
    print("its ratio shown, every pair's ratio in brackets; MB: the largest of any run.")
    print("start = what a worker does once, before the measured job: start the fork server")
    print(f"and prepare a small ({WARM_UP_RECORDS}-record) bundle, as a long-lived django-q2")
    print("worker has done (not in the job's time).")
    print("review = accepting every suggestion; prep = the caseworker's 'Prepare bundle'")
    print("(every suggestion checked as decided): both before the job, not in its time.")
    print("MB max = the largest peak (VmHWM) of any process of the job: the calling process,")
    print("each rendering and merging process, the fork server; parent = the calling Django")
    print("process (set up as a django-q2 worker, after the small bundle): before the job -> its")
    print("peak during the job; own = of that, its anonymous memory (RssAnon) at the end: not")
    print("the shared libraries' pages, which every process of the machine shares.")
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    largest = max(rows, key=lambda row: row["records"])
    if largest["records"] >= 500 and largest["ratio"] > TARGET_RATIO:
        ok = False
    per_record = [row["job"]["seconds"] / row["records"] for row in rows]
    print(
        f"seconds per 100 records: {', '.join(f'{x * 100:.2f}' for x in per_record)} "
        "(linear cost: roughly constant)"
    )
    met = "met" if ok else "NOT met"
    targets = f"ratio <= {TARGET_RATIO} at 500 records, every process < {TARGET_MB:.0f} MB"
    print(f"targets: {targets}: {met}")
    (workdir / "results.json").write_text(json.dumps(rows, indent=2, default=str))
    print(f"details: {workdir / 'results.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
