"""Benchmark: the chunked bundle engine against WeasyPrint rendering the same HTML in one call.

Usage:
    .venv/bin/python tests/benchmarks/bench_render.py [--sizes 50,200,500]
        [--processes 2] [--chunk-size 50] [--keep DIR]

For each size it generates that many realistic, entirely fictional records
(Faker en_GB: case notes, phone calls, emails and letters of several paragraphs,
about a page each), then runs, each in a fresh subprocess so peaks are clean:

(a) "single": WeasyPrint alone rendering the complete bundle HTML (front matter
    and every record, with header and page numbers in CSS margin boxes) in one
    call, as tagged PDF/UA-1;
(b) "engine": the job as the bundle task runs it: the accepted redactions (here
    every suggestion, computed beforehand as the review would) applied to each
    record, record HTML built, then sar.pdf.render_bundle (chunks in worker
    processes, contents, stamping, merge). The worker fork server is started
    first and timed apart: a django-q2 worker starts it once, not per bundle.

It prints seconds, pages, pages per second, the ratio engine/single, and the peak
RSS of the largest process of each: for (a) the one process; for (b) the largest
of the calling process and every worker job (each reports its own VmHWM), and
a psutil sample of the whole process tree as a cross-check.
Targets (issue 5): engine <= 0.5x single at 500 records; every process < 150 MB.
Not collected by pytest (addopts ignores tests/benchmarks).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# The benchmark renders templates only; a throwaway key lets it run in a clean clone.
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")

if __name__ == "__main__" and "--single" not in sys.argv:
    # Not in the single-call child, so its peak is WeasyPrint's alone; and never in
    # the engine's workers, which do not import this file.
    import django

    django.setup()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import pickle  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

TARGET_RATIO = 0.5
TARGET_MB = 150.0
REFERENCE = "SAR-2025-00042"
HEADER = f"Confidential: prepared for Jane Parent, {REFERENCE}, 1 March 2025"


@dataclass(frozen=True)
class RawRecord:
    anchor: str
    title: str
    date: dt.date
    kind: str
    author: str
    text: str


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    """VmHWM: unlike ru_maxrss it does not inherit the benchmark parent's peak."""
    from sar.pdf.jobs import peak_rss_mb

    return peak_rss_mb()


# -- fictional case file -------------------------------------------------------

SENTENCES = """
{parent} called about {child}'s placement at {school} and the delay to the EHC needs assessment.
I explained the 20-week timescale and what the local authority must do at each stage.
{parent} said the SENCo, {professional}, had agreed to collect evidence from the speech and language therapist.
We went through section F of the draft plan line by line; the provision is not specific or quantified.
{child} has been on a reduced timetable since {date} and is missing afternoon lessons.
I suggested {parent} keep a diary of the days {child} is sent home early and any calls from school.
{other} (born {dob}), {child}'s cousin, sometimes collects {child} and was present for part of the call.
The annual review meeting is booked for {date} at {school}; {parent} would like an IPS to attend.
I sent {parent} our factsheet on appealing to the SEND Tribunal and the mediation certificate process.
{parent} can be reached on {phone} or at {email} after 3pm.
{professional} from the educational psychology service will observe {child} in class next week.
The family moved to {postcode} in the summer, which changes the home-to-school transport assessment.
{parent} was worried about the comments made by {other} at the last meeting and asked whether they would be minuted.
We agreed I would write to the SEN casework officer asking for a copy of the decision-making panel notes.
{child}'s occupational therapy report recommends movement breaks and a quiet workstation.
I reminded {parent} that the school must use its best endeavours to secure the provision in the plan.
""".strip().splitlines()  # noqa: E501
KINDS = ["Case note", "Phone call", "Email", "Letter", "Meeting note"]


def make_case_file(count: int, *, seed: int = 5):
    """``count`` fictional records and the people they mention."""
    from faker import Faker

    from sar.redaction import KnownPerson

    fake = Faker("en_GB")
    Faker.seed(seed)
    rng = random.Random(seed)
    parent = "Jane Parent"
    child = "Alex Parent"
    others = [fake.name() for _ in range(6)]
    professionals = [fake.name() for _ in range(4)]
    schools = [f"{fake.last_name()} {kind}" for kind in ("Primary School", "Academy", "College")]
    staff = [f"Caseworker {letter}" for letter in "ABC"]
    people = [KnownPerson(name, role="family") for name in others] + [
        KnownPerson(name, role="professional", is_professional=True) for name in professionals
    ]
    subjects = [KnownPerson(parent), KnownPerson(child)]
    start = dt.date(2021, 9, 1)
    records = []
    for index in range(count):
        paragraphs = []
        for _ in range(rng.randint(6, 7)):
            sentences = []
            for template in rng.sample(SENTENCES, 4):
                sentences.append(
                    template.format(
                        parent=rng.choice(["Jane", "Mum", "Ms Parent"]),
                        child=rng.choice(["Alex", "Alex Parent"]),
                        school=rng.choice(schools),
                        professional=rng.choice(professionals),
                        other=rng.choice(others),
                        date=fake.date_between(start, start + dt.timedelta(days=1200)).strftime(
                            "%-d %B %Y"
                        ),
                        dob=fake.date_of_birth(minimum_age=4, maximum_age=60).strftime("%d/%m/%Y"),
                        phone=rng.choice(["07911 123456", "01865 810516", fake.phone_number()]),
                        email=fake.email(),
                        postcode=fake.postcode(),
                    )
                )
            paragraphs.append(" ".join(sentences))
        kind = KINDS[index % len(KINDS)]
        records.append(
            RawRecord(
                anchor=f"record-{index}",
                title=f"{kind}: {fake.sentence(nb_words=5).rstrip('.')}",
                date=start + dt.timedelta(days=index * 2),
                kind=kind,
                author=rng.choice(staff),
                text="\n\n".join(paragraphs),
            )
        )
    return records, people, subjects


def front_matter():
    from sar.pdf import FrontMatter, ServiceDetails

    return FrontMatter(
        reference=REFERENCE,
        requester_name="Jane Parent",
        requester_address_lines=("1 Example Road", "Oxford"),
        letter_date=dt.date(2025, 3, 1),
        subject_description="you and your son, Alex",
        service=ServiceDetails(
            name="SENDIASS Oxfordshire",
            address_lines=("County Hall", "New Road", "Oxford"),
            phone="01865 810516",
            email="sendiass@example.org",
        ),
    )


def review(raw_records, people, subjects):
    """The caseworker's review, done before the job: suggestions for every record
    (all accepted here). Timed apart from the job."""
    from sar.redaction import suggest

    return [suggest(r.text, people=people, subjects=subjects) for r in raw_records]


def redact(raw_records, accepted):
    """The job's redaction step: the accepted redactions applied, record HTML built."""
    from sar.pdf import RecordHTML, segments_to_html
    from sar.redaction import apply_redactions

    return [
        RecordHTML(
            anchor=r.anchor,
            title=r.title,
            date=r.date,
            kind=r.kind,
            author=r.author,
            body_html=segments_to_html(apply_redactions(r.text, spans)),
        )
        for r, spans in zip(raw_records, accepted, strict=True)
    ]


def single_call_html(records) -> str:
    """The same content as one HTML document, numbered by CSS margin boxes."""
    from sar.pdf.html import contents_html, css_string, front_matter_html, records_html

    def body(html: str) -> str:
        return html[html.index("<body>") + len("<body>") : html.index("</body>")]

    front = front_matter_html(front=front_matter())
    contents = contents_html(
        reference=REFERENCE, records=records, pages=["000"] * len(records), start=1,
        first_part=True,
    )  # fmt: skip
    chunk = records_html(reference=REFERENCE, records=records, first_chunk=True)
    margins = (
        '@page { @top-center { content: "' + css_string(HEADER) + '"; font-size: 8.5pt; } '
        '@bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; } }'
    )
    front = front.replace("</style>", margins + "\n</style>", 1)
    rest = f'<div class="section">{body(contents)}</div><div class="section">{body(chunk)}</div>'
    return front.replace("</body>", rest + "\n</body>", 1)


# -- child processes -----------------------------------------------------------


def run_single(html_path: str, out_path: str) -> dict:
    import weasyprint

    from sar.pdf.fetcher import BASE_URL, StaticOnlyURLFetcher

    html = Path(html_path).read_text()
    started = time.perf_counter()
    cpu_started = time.process_time()
    # The bundle's HTML names no static file (its CSS is inline, its fonts the system's).
    document = weasyprint.HTML(
        string=html, base_url=BASE_URL, url_fetcher=StaticOnlyURLFetcher(())
    ).render()
    document.write_pdf(out_path, pdf_variant="pdf/ua-1")
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "pages": len(document.pages),
        "peak_mb": _peak_mb(),
    }


class TreeSampler(threading.Thread):
    """Samples the RSS of this process and its descendants; keeps each one's maximum."""

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)
        self.interval = interval
        self.peaks: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self):
        import psutil

        me = psutil.Process()
        while not self.stop.is_set():
            try:
                processes = [me, *me.children(recursive=True)]
            except psutil.Error:
                processes = [me]
            for process in processes:
                try:
                    rss = process.memory_info().rss / (1024 * 1024)
                except psutil.Error:
                    continue
                self.peaks[process.pid] = max(self.peaks.get(process.pid, 0.0), rss)
            self.stop.wait(self.interval)


def run_engine(case_path: str, out_path: str, processes: int, chunk_size: int) -> dict:
    from sar.pdf import prepare_renderer, render_bundle
    from sar.pdf.render import RenderStats

    with open(case_path, "rb") as case_file:
        raw_records, accepted = pickle.load(case_file)  # noqa: S301 - our own file
    sampler = TreeSampler()
    sampler.start()
    # Once per worker process's life, not per bundle: the fork server that loads
    # WeasyPrint. Timed apart.
    base_mb = _rss_mb()
    warm_started = time.perf_counter()
    prepare_renderer()
    started = time.perf_counter()
    cpu_started = time.process_time()
    records = redact(raw_records, accepted)
    redacted = time.perf_counter()
    stats = RenderStats()
    pdf = render_bundle(
        front_matter=front_matter(),
        records=records,
        header_text=HEADER,
        chunk_size=chunk_size,
        processes=processes,
        stats=stats,
    )
    finished = time.perf_counter()
    parent_cpu = time.process_time() - cpu_started
    sampler.stop.set()
    sampler.join()
    Path(out_path).write_bytes(pdf)
    return {
        "seconds": finished - started,
        "startup_seconds": started - warm_started,
        "redact_seconds": redacted - started,
        "render_seconds": finished - redacted,
        "phases": stats.seconds,
        "cpu_seconds": parent_cpu + stats.worker_cpu_seconds,
        "parent_cpu_seconds": parent_cpu,
        "pages": stats.pages,
        "chunks": stats.chunks,
        "parent_peak_mb": _peak_mb(),
        "parent_base_mb": base_mb,
        "worker_peak_mb": max(stats.worker_peak_rss_mb, default=0.0),
        "sampled_peak_mb": max(sampler.peaks.values(), default=0.0),
        "sampled_processes": len(sampler.peaks),
    }


def _child(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- main ------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,200,500")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=50)
    parser.add_argument("--keep", help="directory to keep the PDFs in")
    parser.add_argument("--single", nargs=2, metavar=("HTML", "PDF"), help=argparse.SUPPRESS)
    parser.add_argument("--engine", nargs=2, metavar=("CASE", "PDF"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.single:
        print(json.dumps(run_single(*args.single)))
        return 0
    if args.engine:
        print(json.dumps(run_engine(*args.engine, args.processes, args.chunk_size)))
        return 0

    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="bench-render-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}, processes: {args.processes}, chunk size: {args.chunk_size}")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = (
        f"{'records':>7} {'pages':>5} | {'single s':>8} {'cpu s':>6} {'p/s':>5} {'MB':>5} | "
        f"{'engine s':>8} {'cpu s':>6} {'p/s':>5} {'redact':>6} {'MB max':>6} {'parent':>11} "
        f"{'worker':>6} {'sampled':>7} | {'ratio':>5} {'start':>5} {'suggest':>7}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    rows = []
    for size in sizes:
        raw_records, people, subjects = make_case_file(size)
        reviewed = time.perf_counter()
        accepted = review(raw_records, people, subjects)
        suggest_seconds = time.perf_counter() - reviewed
        case_path = workdir / f"case-{size}.pickle"
        with open(case_path, "wb") as case_file:
            pickle.dump((raw_records, accepted), case_file)
        html_path = workdir / f"single-{size}.html"
        html_path.write_text(single_call_html(redact(raw_records, accepted)))

        single = _child("--single", str(html_path), str(workdir / f"single-{size}.pdf"))
        engine = _child(
            "--engine", str(case_path), str(workdir / f"engine-{size}.pdf"),
            "--processes", str(args.processes), "--chunk-size", str(args.chunk_size),
        )  # fmt: skip
        engine_mb = max(engine["parent_peak_mb"], engine["worker_peak_mb"])
        ratio = engine["seconds"] / single["seconds"]
        rows.append(
            {
                "records": size,
                "suggest_seconds": suggest_seconds,
                "single": single,
                "engine": engine,
                "ratio": ratio,
            }
        )
        print(
            f"{size:>7} {engine['pages']:>5} | {single['seconds']:>8.1f} "
            f"{single['cpu_seconds']:>6.1f} "
            f"{single['pages'] / single['seconds']:>5.1f} {single['peak_mb']:>5.0f} | "
            f"{engine['seconds']:>8.1f} {engine['cpu_seconds']:>6.1f} "
            f"{engine['pages'] / engine['seconds']:>5.1f} "
            f"{engine['redact_seconds']:>6.1f} {engine_mb:>6.0f} "
            f"{engine['parent_base_mb']:>4.0f}->{engine['parent_peak_mb']:>5.0f} "
            f"{engine['worker_peak_mb']:>6.0f} "
            f"{engine['sampled_peak_mb']:>7.0f} | {ratio:>5.2f} "
            f"{engine['startup_seconds']:>5.1f} {suggest_seconds:>7.1f}",
            flush=True,
        )
        if engine_mb >= TARGET_MB:
            ok = False
    print()
    print("engine = the job: accepted redactions applied, HTML built, render_bundle (chunks,")
    print("contents, stamps, merge). start = the one-off start of the worker fork server")
    print("(once per worker process's life, not in the job's time). suggest = computing the")
    print("suggestions for review (before the job, not in its time).")
    print("cpu s = CPU seconds (engine: calling process + every worker job); on a shared")
    print("machine wall time depends on other load, CPU time much less.")
    print("MB max = the larger of the calling process's and any worker's peak (VmHWM);")
    print("parent = the calling (Django) process: its size when the job starts -> its peak.")
    print("sampled = largest RSS psutil saw in the engine's process tree (50 ms samples).")
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    largest = rows[-1] if rows else None
    if largest and largest["records"] >= 500 and largest["ratio"] > TARGET_RATIO:
        ok = False
    print(
        f"targets: ratio <= {TARGET_RATIO} at 500 records, every process < {TARGET_MB:.0f} MB:",
        "met" if ok else "NOT met",
    )
    (workdir / "results.json").write_text(json.dumps(rows, indent=2, default=str))
    print(f"details: {workdir / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
