"""What crosses the process boundary: job and result records, and the entry points.

This module is light on purpose (no WeasyPrint, no pikepdf, no Django): the
calling process, a Django process that is already large, imports it to build
jobs; the worker processes import the heavy modules, preloaded by the fork server.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class DocumentJob:
    """Render ``html`` to ``out_path``; report the page each of ``anchors`` is on."""

    html: str
    out_path: str
    roots: tuple[tuple[str, str], ...]
    anchors: tuple[str, ...] = ()
    tagged: bool = True
    layout_only: bool = False  # lay out and measure, write nothing


class AnchorBox(NamedTuple):
    """Where an element with an id was laid out: its page (0-based, in its own
    document) and its box, in points from the page's top left corner."""

    page: int
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class DocumentResult:
    page_count: int
    anchors: dict[str, AnchorBox] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    page: int  # 0-based index in the merged document
    top_pt: float | None = None  # distance from the page top, in points
    children: tuple[OutlineEntry, ...] = ()


@dataclass(frozen=True)
class StampPieces:
    """The running header and the pieces of "Page X of Y", one per page of a small
    document: the merge draws the header page over every page, and composes each
    footer from the pieces ("Page ", digits, " of ", digits), centred."""

    path: str
    header_page: int
    # piece text ("Page ", " of ", "0".."9") -> (page, left, width), in points
    pieces: dict[str, tuple[int, float, float]]


def ping() -> int:
    """A job that does nothing: proves a worker can be started."""
    return os.getpid()


def run_document(job: DocumentJob) -> DocumentResult:
    """Worker entry point: render one document (see ``worker.render_job``)."""
    from .worker import render_job

    return render_job(job)


# What the merge process is sent, in this order (see ``serve_merge``).
MERGE_STAMP = "stamp"  # (MERGE_STAMP, StampPieces)
MERGE_PART = "part"  # (MERGE_PART, key, path, first): a finished part, in any order
MERGE_FINISH = "finish"  # (MERGE_FINISH, order of the parts' keys, outline, title)
# What it answers: once, after finishing or on its first error.
MERGE_DONE = "done"  # (MERGE_DONE, peak RSS in MB, CPU seconds)
MERGE_FAILED = "failed"  # (MERGE_FAILED, "ErrorType: message")


def serve_merge(conn, out_path: str) -> None:
    """Merge process entry point: merge the parts into ``out_path`` as they are
    sent over ``conn`` (see ``merge.MergeSession``), until told to finish. Needs
    pikepdf only, not WeasyPrint. Ends quietly when the other end goes away (the
    render was stopped)."""
    from .merge import MergeSession

    try:
        session = MergeSession(out_path)
        try:
            while True:
                kind, *args = conn.recv()
                if kind == MERGE_STAMP:
                    session.add_stamp(*args)
                elif kind == MERGE_PART:
                    key, path, first = args
                    session.add_part(key, path, first=first)
                elif kind == MERGE_FINISH:
                    order, outline, title = args
                    session.finish(order=order, outline=outline, title=title)
                    conn.send((MERGE_DONE, peak_rss_mb(), cpu_since_last_job()))
                    return
                else:
                    raise ValueError(f"Unknown merge message {kind!r}")
        finally:
            session.close()
    except (EOFError, BrokenPipeError):
        return
    except Exception as error:
        with contextlib.suppress(OSError):
            conn.send((MERGE_FAILED, f"{type(error).__name__}: {error}"[:300]))


_cpu_counted = 0.0


def cpu_since_last_job() -> float:
    """This process's CPU seconds since its previous job ended (for its first
    job, since it started: the fork and its start are counted once)."""
    global _cpu_counted
    now = time.process_time()
    spent, _cpu_counted = now - _cpu_counted, now
    return spent


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    On Linux, VmHWM from /proc: ``ru_maxrss`` survives exec, so a process spawned
    from a large parent would report the parent's peak as its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
