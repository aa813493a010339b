"""What crosses the process boundary: job and result records, and the entry points.

This module is light on purpose (no WeasyPrint, no pikepdf, no Django): the
calling process, a Django process that is already large, imports it to build
jobs; the worker processes import the heavy modules, preloaded by the fork server.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class MergeJob:
    front_path: str
    part_paths: tuple[str, ...]
    stamp: StampPieces
    outline: tuple[OutlineEntry, ...]
    title: str
    out_path: str


def ping() -> int:
    """A job that does nothing: proves a worker can be started."""
    return os.getpid()


def run_document(job: DocumentJob) -> DocumentResult:
    """Worker entry point: render one document (see ``worker.render_job``)."""
    from .worker import render_job

    return render_job(job)


def run_merge(job: MergeJob) -> tuple[float, float]:
    """Worker entry point: merge the parts; returns the worker's peak RSS in MB and
    the CPU seconds the merge took. Needs pikepdf only, not WeasyPrint."""
    from .merge import merge_documents

    merge_documents(job)
    return peak_rss_mb(), cpu_since_last_job()


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
