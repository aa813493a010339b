"""Render a release bundle: front matter and records, as one tagged, numbered PDF.

WeasyPrint needs about 1.5 MB per page and slows down as a document grows, so a
bundle is never laid out in one call. Every document is small and bounded:

1. The cover letter (with the redaction codes) is one document; the contents list
   is split into parts of ``CONTENTS_PER_PART`` entries; the records are split
   into chunks of ``chunk_size`` records (fewer if their HTML is long). Each is
   its own WeasyPrint document, rendered in a pool of worker processes that are
   replaced after every ``MAX_TASKS_PER_CHILD`` jobs, so no process's memory
   grows with the bundle.
2. Each record chunk reports its page count and where each record starts. The
   contents parts are first laid out with the page column blank: the column has
   a fixed width, so the numbers cannot change the layout, and this gives every
   part's length, so every record's page number in the whole bundle. Alongside,
   one small "stamp" document holds the running header (in the same top margin
   box the bundle's pages leave for it) and the pieces of "Page X of Y" ("Page ",
   " of ", each digit), with the width of each.
3. Each contents part is rendered again with its numbers as soon as the chunks
   holding its records are done, while later chunks still render.
4. One more process, forked from the same server when the render starts, merges
   everything (see ``merge.py``) while the rest still renders: the stamp pieces,
   then the cover letter and each record chunk as soon as it is finished,
   streamed one part at a time into the output file; at the end the contents
   parts, and then the page order: pages and structure trees joined, the header
   and a centred "Page X of Y" composed from the pieces drawn over each page as
   pagination artifacts, bookmarks to each record, metadata holding only the
   reference. So when the last chunk is done, only it, the contents and the
   closing structures are left to merge.

Worker processes are forked from a server process that preloads WeasyPrint and
pikepdf, not Django; this (calling) process builds the HTML from the templates
and never imports WeasyPrint or pikepdf itself.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.utils.dateformat import format as format_date

from .html import (
    STAMP_PIECES,
    FrontMatter,
    RecordEntry,
    RecordHTML,
    contents_html,
    document_title,
    front_matter_html,
    records_html,
    stamp_html,
)
from .jobs import (
    MERGE_DONE,
    MERGE_FAILED,
    MERGE_FINISH,
    MERGE_PART,
    MERGE_STAMP,
    DocumentJob,
    DocumentResult,
    OutlineEntry,
    StampPieces,
    ping,
    run_document,
    serve_merge,
)
from .static import static_roots

__all__ = [
    "BundleRenderError",
    "RenderStats",
    "prepare_renderer",
    "private_workdir",
    "remove_abandoned_workdirs",
    "render_bundle",
    "render_bundle_file",
]

# Entries per contents part (about three pages): small, so the last part,
# which waits for the last chunk, is quick.
CONTENTS_PER_PART = 100
# A record chunk closes early once its bodies reach this much HTML (about 50
# pages of text), so a few very long records cannot make one huge document.
CHUNK_HTML_BUDGET = 200_000
# Each worker process renders this many documents of one bundle (every bundle has
# its own pool), then a fresh one is forked from the preloaded server: what
# WeasyPrint keeps between documents is bounded by a few documents, not by the
# bundle (peaks measured the same as one job per process), while a process's
# first document costs about 25 ms more than the next.
MAX_TASKS_PER_CHILD = 4
# A render's working directory: the prefix, then the pid of the process that
# made it (``remove_abandoned_workdirs``).
WORKDIR_PREFIX = "sar-bundle-"

ERROR_DAEMON = (
    "Bundles are rendered in worker processes, and this process is a daemon that may "
    "not start any. For a django-q2 cluster set Q_CLUSTER['daemonize_workers'] = False."
)
ERROR_WORKER_DIED = (
    "A process rendering the bundle stopped unexpectedly (perhaps it ran out of "
    "memory). Try again with a smaller chunk size."
)
ERROR_FAILED = "Rendering the bundle failed ({reason}). It can be tried again."
ERROR_DUPLICATE_ANCHOR = "Two records share the anchor {anchor!r}: each needs its own."
ERROR_UNSETTLED = "The contents' length changed when the page numbers were added."
ERROR_LOADED_WRONG = "The records loaded for a chunk were not the records asked for."

ProgressCallback = Callable[[int, int], None]
# A record as the renderer plans with it: the whole record, or its entry only
# (then ``load_chunk`` builds the chunk's records when the chunk is rendered).
Planned = RecordHTML | RecordEntry
ChunkLoader = Callable[[Sequence[RecordEntry]], Sequence[RecordHTML]]


class BundleRenderError(Exception):
    """The bundle could not be rendered; the message says why, for the staff screen."""


@dataclass
class RenderStats:
    """Figures from one render, for benchmarks and logs (pass one in to have it filled)."""

    pages: int = 0
    chunks: int = 0
    front_matter_pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    # Peak RSS and CPU seconds of each worker job (each runs in its own process).
    worker_peak_rss_mb: list[float] = field(default_factory=list)
    worker_cpu_seconds: float = 0.0


class _InProcessExecutor(Executor):
    """``processes=0``: run every job here, one after another (memory is not bounded)."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller through the future
            future.set_exception(error)
        return future


def _forkserver_context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    # Takes effect when the fork server starts (once per calling process); the
    # server then holds WeasyPrint and pikepdf, and no copy of Django.
    context.set_forkserver_preload(["sar.pdf.worker"])
    return context


def prepare_renderer() -> None:
    """Start the fork server the rendering processes fork from, ahead of time.

    Optional: the first bundle otherwise waits about a second while the server
    loads WeasyPrint. The server lives as long as this process, so a long-lived
    django-q2 worker pays that once, not per bundle. Returns when a worker has
    been forked from it, so the server has finished loading.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=_forkserver_context()) as pool:
        pool.submit(ping).result()


def _executor(processes: int) -> Executor:
    if processes == 0:
        return _InProcessExecutor()
    if multiprocessing.current_process().daemon:
        raise BundleRenderError(ERROR_DAEMON)
    context = _forkserver_context()
    return ProcessPoolExecutor(
        max_workers=processes, mp_context=context, max_tasks_per_child=MAX_TASKS_PER_CHILD
    )


class _MergeProcess:
    """The merge in a process of its own, forked from the render processes'
    server, sent each part as it is finished (``jobs.serve_merge``). Its first
    error stops the render at the next part sent; if it dies, the render fails."""

    def __init__(self, context: multiprocessing.context.BaseContext, out_path: str) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve_merge, args=(child, out_path), daemon=True)
        self.process.start()
        child.close()

    def add_stamp(self, stamp: StampPieces) -> None:
        self._send(MERGE_STAMP, stamp)

    def add_part(self, key: tuple[str, int], path: str, *, first: bool = False) -> None:
        self._send(MERGE_PART, key, path, first)

    def finish(
        self, *, order: Sequence[tuple[str, int]], outline: tuple[OutlineEntry, ...], title: str
    ) -> tuple[float, float]:
        """Returns the merge process's peak RSS in MB and the CPU seconds it used."""
        self._send(MERGE_FINISH, list(order), outline, title)
        kind, *figures = self._reply()
        if kind != MERGE_DONE:
            raise BundleRenderError(ERROR_FAILED.format(reason=f"the merge answered {kind!r}"))
        return figures[0], figures[1]

    def _send(self, *message: Any) -> None:
        if self.conn.poll():  # it has stopped: say why
            self._reply()
        try:
            self.conn.send(message)
        except OSError:  # it went away while this was being sent
            self._reply()
            raise BundleRenderError(ERROR_WORKER_DIED) from None

    def _reply(self) -> tuple[Any, ...]:
        try:
            reply = self.conn.recv()
        except (EOFError, OSError):
            raise BundleRenderError(ERROR_WORKER_DIED) from None
        if reply[0] == MERGE_FAILED:
            raise BundleRenderError(ERROR_FAILED.format(reason=reply[1]))
        return reply

    def close(self) -> None:
        """Stop it if it is still running (it ends by itself once this end closes)."""
        self.conn.close()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


class _MergeHere:
    """``processes=0``: the merge in this process, part by part as they come."""

    def __init__(self, out_path: str) -> None:
        from .merge import MergeSession

        self.session = MergeSession(out_path)

    def add_stamp(self, stamp: StampPieces) -> None:
        self._call(self.session.add_stamp, stamp)

    def add_part(self, key: tuple[str, int], path: str, *, first: bool = False) -> None:
        self._call(self.session.add_part, key, path, first=first)

    def finish(self, **kwargs: Any) -> None:
        self._call(self.session.finish, **kwargs)

    def close(self) -> None:
        self.session.close()

    @staticmethod
    def _call(method: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        try:
            method(*args, **kwargs)
        except Exception as error:
            raise _failed(error) from error


def _merge(processes: int, out_path: str) -> _MergeProcess | _MergeHere:
    if processes == 0:
        return _MergeHere(out_path)
    return _MergeProcess(_forkserver_context(), out_path)


def _record_chunks(
    records: Sequence[Planned], size: int, *, processes: int = 1
) -> list[Sequence[Planned]]:
    """``records`` in chunks of ``size`` (fewer when their text is long). The
    last round, one chunk per process, is in half-size chunks: the processes
    then finish close together, instead of one rendering a whole last chunk
    while the others wait."""
    chunks: list[Sequence[Planned]] = []
    start = 0
    html = 0
    for index, record in enumerate(records):
        html += record.size
        if index + 1 - start >= size or html >= CHUNK_HTML_BUDGET:
            chunks.append(records[start : index + 1])
            start, html = index + 1, 0
    if start < len(records):
        chunks.append(records[start:])
    if processes < 2 or len(chunks) <= processes:  # one process: nobody waits
        return chunks
    tail = [
        half
        for chunk in chunks[-processes:]
        for half in ((chunk[: (len(chunk) + 1) // 2], chunk[(len(chunk) + 1) // 2 :]))
        if half
    ]
    return chunks[:-processes] + tail


def _record_label(record: Planned) -> str:
    return f"{format_date(record.date, 'j F Y')}: {record.title}"


class _Bundle:
    """One render: the pool, the temporary directory, and the jobs' results."""

    def __init__(
        self,
        *,
        pool: Executor,
        merge: _MergeProcess | _MergeHere,
        processes: int,
        workdir: Path,
        front: FrontMatter,
        records: Sequence[Planned],
        load_chunk: ChunkLoader | None,
        header_text: str,
        stats: RenderStats,
    ) -> None:
        self.pool = pool
        self.merge = merge
        # In this process, worker CPU time is this process's: count it once.
        self.count_worker_cpu = processes > 0
        self.processes = max(1, processes)
        self.in_flight = self.processes + 1
        self.workdir = workdir
        self.front = front
        self.records = records
        self.load_chunk = load_chunk
        self.header_text = header_text
        self.stats = stats
        self.roots = tuple((prefix, str(root)) for prefix, root in static_roots())
        self.contents_parts = [
            records[start : start + CONTENTS_PER_PART]
            for start in range(0, len(records), CONTENTS_PER_PART)
        ]

    def path(self, name: str) -> str:
        return str(self.workdir / name)

    def run(
        self,
        next_job: Callable[[], tuple[Any, DocumentJob] | None],
        on_done: Callable[[Any, DocumentResult], None],
    ) -> None:
        """Run document jobs until ``next_job`` has none left.

        ``next_job`` is asked for work whenever a process is nearly free, so the
        calling process never holds the whole bundle's HTML; it returns None when
        nothing is ready yet (a job waiting for others' results) or left.
        """
        pending: dict[Future, Any] = {}

        def fill() -> None:
            while len(pending) < self.in_flight:
                item = next_job()
                if item is None:
                    return
                key, job = item
                pending[self.pool.submit(run_document, job)] = key

        fill()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                key = pending.pop(future)
                try:
                    result = future.result()
                except Exception as error:
                    raise _failed(error) from error
                self.stats.worker_peak_rss_mb.append(result.peak_rss_mb)
                if self.count_worker_cpu:
                    self.stats.worker_cpu_seconds += result.cpu_seconds
                on_done(key, result)
            fill()

    def letter_job(self) -> DocumentJob:
        html = front_matter_html(front=self.front)
        return DocumentJob(html, self.path("front.pdf"), self.roots, ("codes-heading",))

    def contents_job(self, index: int, pages: Sequence[str] | None) -> DocumentJob:
        part = self.contents_parts[index]
        html = contents_html(
            reference=self.front.reference,
            records=part,
            pages=pages if pages is not None else [""] * len(part),
            start=index * CONTENTS_PER_PART + 1,
            first_part=index == 0,
        )
        if pages is None:  # measuring only: the layout gives the length
            return DocumentJob(html, "", self.roots, layout_only=True)
        return DocumentJob(html, self.path(f"contents-{index:04d}.pdf"), self.roots)

    def chunk_job(self, index: int, chunk: Sequence[Planned]) -> DocumentJob:
        anchors = tuple(record.anchor for record in chunk)
        # Built only now, as a process is about to be free for it: the chunk's
        # records' text is held only while its HTML is made.
        records = self.load_chunk(chunk) if self.load_chunk is not None else chunk
        if tuple(record.anchor for record in records) != anchors:
            raise BundleRenderError(ERROR_LOADED_WRONG)
        html = records_html(reference=self.front.reference, records=records, first_chunk=index == 0)
        return DocumentJob(html, self.path(f"chunk-{index:05d}.pdf"), self.roots, anchors)

    def stamp_job(self) -> DocumentJob:
        html = stamp_html(reference=self.front.reference, header_text=self.header_text)
        anchors = tuple(STAMP_PIECES.values())
        return DocumentJob(html, self.path("stamp.pdf"), self.roots, anchors, tagged=False)


def _outline(
    *,
    records: Sequence[Planned],
    record_pages: Sequence[tuple[int, float]],
    letter: DocumentResult,
) -> tuple[OutlineEntry, ...]:
    codes = letter.anchors["codes-heading"]
    codes_page, codes_top = codes.page, codes.top
    entries = [
        OutlineEntry("Letter", 0, 0.0),
        OutlineEntry("What the black boxes mean", codes_page, codes_top),
    ]
    if records:
        entries.append(OutlineEntry("Contents", letter.page_count, 0.0))
        children = tuple(
            OutlineEntry(_record_label(record), page, top)
            for record, (page, top) in zip(records, record_pages, strict=True)
        )
        entries.append(OutlineEntry("Your records", record_pages[0][0], 0.0, children))
    return tuple(entries)


def render_bundle(**kwargs) -> bytes:
    """The bundle as PDF bytes (``render_bundle_file``'s arguments but the path).

    Holds the whole PDF in memory: for tests and small documents. Bundles are
    rendered with ``render_bundle_file``, which leaves the PDF on disk."""
    with private_workdir() as folder:
        out_path = Path(folder) / "bundle.pdf"
        render_bundle_file(out_path, **kwargs)
        return out_path.read_bytes()


def render_bundle_file(
    out_path: str | Path,
    *,
    front_matter: FrontMatter,
    records: Sequence[Planned],
    header_text: str,
    load_chunk: ChunkLoader | None = None,
    chunk_size: int = 50,
    processes: int = 2,
    on_progress: ProgressCallback | None = None,
    stats: RenderStats | None = None,
) -> None:
    """Write the bundle to ``out_path``: cover letter, codes, contents, then
    ``records`` in order.

    ``records`` are either whole (``RecordHTML``) or entries (``RecordEntry``),
    with ``load_chunk(entries)`` returning the ``RecordHTML`` of a chunk's
    entries, in the same order, when that chunk is about to be rendered: the
    calling process then holds one or two chunks' text at a time, whatever
    the bundle's size, and what ``load_chunk`` raises stops the render and
    reaches the caller as it is.

    ``header_text`` ("Confidential: prepared for <requester>, <reference>, <date>")
    is printed at the top of every page and "Page X of Y" at the foot. ``processes``
    worker processes render ``chunk_size`` records at a time (``processes=0``
    renders in this process, without the memory bound). ``on_progress(done,
    total)`` is called as chunks of records finish. Raises ``BundleRenderError``.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if processes < 0:
        raise ValueError("processes must be 0 (in this process) or more")
    if load_chunk is None and not all(isinstance(r, RecordHTML) for r in records):
        raise ValueError("records given as entries need load_chunk")
    seen: set[str] = set()
    for record in records:
        if record.anchor in seen:
            raise BundleRenderError(ERROR_DUPLICATE_ANCHOR.format(anchor=record.anchor))
        seen.add(record.anchor)
    stats = stats if stats is not None else RenderStats()
    report = on_progress or (lambda done, total: None)
    total_records = len(records)
    report(0, total_records)
    chunks = _record_chunks(records, chunk_size, processes=max(1, processes))
    stats.chunks = len(chunks)
    started = time.perf_counter()

    remove_abandoned_workdirs()
    with private_workdir() as workdir:
        pool = _executor(processes)
        try:
            merge = _merge(processes, str(out_path))
        except BaseException:
            pool.shutdown(wait=True)
            raise
        try:
            bundle = _Bundle(
                pool=pool,
                merge=merge,
                processes=processes,
                workdir=Path(workdir),
                front=front_matter,
                records=records,
                load_chunk=load_chunk,
                header_text=header_text,
                stats=stats,
            )
            _render(bundle, chunks, report)
        except BaseException:
            merge.close()
            pool.shutdown(wait=True, cancel_futures=True)
            # Never leave a part-written file where the whole PDF was asked for.
            Path(out_path).unlink(missing_ok=True)
            raise
        merge.close()
        pool.shutdown(wait=True)
    stats.seconds["total"] = time.perf_counter() - started
    report(total_records, total_records)


def private_workdir() -> tempfile.TemporaryDirectory:
    """A temporary directory for unencrypted pages or PDFs, deleted when the
    ``with`` block ends, and named for this process so that
    ``remove_abandoned_workdirs`` finds it if the process is killed first."""
    return tempfile.TemporaryDirectory(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-")


def remove_abandoned_workdirs(root: str | None = None) -> int:
    """Delete the working directories of renders whose process is gone.

    A render keeps its documents (unencrypted pages of someone's records) in
    a temporary directory named for the process that made it, and deletes it
    when it ends, even on an error. A process killed outright (SIGKILL, the
    out-of-memory killer) deletes nothing, so each render first removes the
    directories of processes that no longer exist on this machine. Returns
    how many it removed.
    """
    root_path = Path(root or tempfile.gettempdir())
    removed = 0
    for folder in root_path.glob(f"{WORKDIR_PREFIX}*-*"):
        pid = folder.name.removeprefix(WORKDIR_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir() or _process_exists(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process is there
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _stamp_pieces(path: str, result: DocumentResult) -> StampPieces:
    pieces = {}
    for text, anchor in STAMP_PIECES.items():
        box = result.anchors[anchor]
        pieces[text] = (box.page, box.left, box.right - box.left)
    return StampPieces(path=path, header_page=0, pieces=pieces)


def _failed(error: BaseException) -> BundleRenderError:
    if isinstance(error, BrokenProcessPool):
        return BundleRenderError(ERROR_WORKER_DIED)
    return BundleRenderError(ERROR_FAILED.format(reason=f"{type(error).__name__}: {error}"[:300]))


class _Schedule:
    """Which document to render next, and what is known so far.

    First the letter, the stamp pieces and every contents part laid out with its
    page column blank (so the front matter's length is known early), then the
    record chunks in order. Each contents part is rendered with its page numbers
    as soon as the chunks holding its records are done, while later chunks are
    still rendering, so only the last part waits for the last chunk.
    """

    def __init__(self, bundle: _Bundle, chunks: list[Sequence[Planned]], report):
        self.bundle = bundle
        self.chunks = chunks
        self.report = report
        self.results: dict[tuple[str, int], DocumentResult] = {}
        self.parts = len(bundle.contents_parts)
        self.measured: list[int | None] = [None] * self.parts
        self.final_submitted = [False] * self.parts
        self.done_records = 0
        # Index of the chunk holding each part's last record.
        last_chunk_of_record = []
        for index, chunk in enumerate(chunks):
            last_chunk_of_record += [index] * len(chunk)
        self.part_needs_chunk = [
            last_chunk_of_record[min((i + 1) * CONTENTS_PER_PART, len(bundle.records)) - 1]
            for i in range(self.parts)
        ]
        first: list[tuple[tuple[str, int], Callable[[], DocumentJob]]] = [
            (("letter", 0), bundle.letter_job),
            (("stamp", 0), bundle.stamp_job),
        ]
        first += [
            (("measure", i), partial(bundle.contents_job, i, None)) for i in range(self.parts)
        ]
        first += [
            (("chunk", i), partial(bundle.chunk_job, i, chunk)) for i, chunk in enumerate(chunks)
        ]
        self.first = iter(first)

    def front_pages(self, lengths: Sequence[int]) -> int:
        return self.results[("letter", 0)].page_count + sum(lengths)

    def chunks_done(self) -> int:
        """How many chunks, from the first, have finished."""
        count = 0
        while ("chunk", count) in self.results:
            count += 1
        return count

    def record_pages(self, lengths: Sequence[int], upto_chunk: int) -> list[tuple[int, float]]:
        """Page (0-based, in the whole bundle) and top of each record in the
        first ``upto_chunk`` chunks, for contents parts of ``lengths`` pages."""
        pages = []
        offset = self.front_pages(lengths)
        for index in range(upto_chunk):
            result = self.results[("chunk", index)]
            for record in self.chunks[index]:
                box = result.anchors[record.anchor]
                pages.append((offset + box.page, box.top))
            offset += result.page_count
        return pages

    def numbers(self, part: int, lengths: Sequence[int], upto_chunk: int) -> list[str]:
        pages = self.record_pages(lengths, upto_chunk)
        wanted = pages[part * CONTENTS_PER_PART : (part + 1) * CONTENTS_PER_PART]
        return [str(page + 1) for page, _ in wanted]

    def next_job(self) -> tuple[tuple[str, int], DocumentJob] | None:
        if ("letter", 0) in self.results and None not in self.measured:
            done = self.chunks_done()
            for part in range(self.parts):
                if not self.final_submitted[part] and self.part_needs_chunk[part] < done:
                    self.final_submitted[part] = True
                    numbers = self.numbers(part, self.measured, done)
                    return ("final", part), self.bundle.contents_job(part, numbers)
        for key, make_job in self.first:
            return key, make_job()
        return None

    def done(self, key: tuple[str, int], result: DocumentResult) -> None:
        self.results[key] = result
        kind, index = key
        merge = self.bundle.merge
        if kind == "measure":
            self.measured[index] = result.page_count
        elif kind == "stamp":
            merge.add_stamp(_stamp_pieces(self.bundle.path("stamp.pdf"), result))
        elif kind == "letter":
            merge.add_part(key, self.bundle.path("front.pdf"), first=True)
        elif kind == "chunk":
            # Final as soon as it is rendered (unlike a contents part, whose
            # numbers are checked at the end): merged now, while others render.
            merge.add_part(key, self.bundle.path(f"chunk-{index:05d}.pdf"))
            self.done_records += len(self.chunks[index])
            self.report(self.done_records, len(self.bundle.records))


def _render(bundle: _Bundle, chunks: list[Sequence[Planned]], report: ProgressCallback) -> None:
    stats, records = bundle.stats, bundle.records
    started = time.perf_counter()
    schedule = _Schedule(bundle, chunks, report)
    bundle.run(schedule.next_job, schedule.done)
    results = schedule.results
    stats.seconds["letter_contents_and_chunks"] = time.perf_counter() - started

    letter = results[("letter", 0)]
    contents_pages = [results[("final", i)].page_count for i in range(schedule.parts)]
    # The page column has a fixed width, so numbers cannot change a part's
    # length; if they ever do, render the parts again with the lengths found.
    attempts = 0
    while contents_pages != schedule.measured:
        attempts += 1
        if attempts > 3:
            raise BundleRenderError(ERROR_UNSETTLED)
        schedule.measured = list(contents_pages)
        again = iter(
            [
                (
                    ("final", i),
                    bundle.contents_job(i, schedule.numbers(i, contents_pages, len(chunks))),
                )
                for i in range(schedule.parts)
            ]
        )
        bundle.run(partial(next, again, None), results.__setitem__)
        contents_pages = [results[("final", i)].page_count for i in range(schedule.parts)]
    record_pages = schedule.record_pages(contents_pages, len(chunks))
    front_pages = schedule.front_pages(contents_pages)
    total_pages = front_pages + sum(results[("chunk", i)].page_count for i in range(len(chunks)))
    stats.pages = total_pages
    stats.front_matter_pages = front_pages
    stats.seconds["contents"] = (
        time.perf_counter() - started - stats.seconds["letter_contents_and_chunks"]
    )

    merged = time.perf_counter()
    # The contents parts last: only now are their numbers known to be final.
    for index in range(schedule.parts):
        bundle.merge.add_part(("final", index), bundle.path(f"contents-{index:04d}.pdf"))
    order = [("letter", 0)]
    order += [("final", index) for index in range(schedule.parts)]
    order += [("chunk", index) for index in range(len(chunks))]
    figures = bundle.merge.finish(
        order=order,
        outline=_outline(records=records, record_pages=record_pages, letter=letter),
        title=document_title(bundle.front.reference),
    )
    if figures is not None:  # the merge's own process
        peak_mb, cpu_seconds = figures
        stats.worker_peak_rss_mb.append(peak_mb)
        stats.worker_cpu_seconds += cpu_seconds
    # What is left to merge once everything is rendered.
    stats.seconds["merge"] = time.perf_counter() - merged
