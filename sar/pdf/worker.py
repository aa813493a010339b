"""What the bundle's rendering processes run: one HTML document to PDF.

Nothing here imports Django: a worker is forked from a server process that has
preloaded only this module (WeasyPrint, and pikepdf for the merge), so each worker stays small.
Jobs and results are plain dataclasses, pickled across the process boundary;
documents travel as files in the bundle's private temporary directory.
"""

from __future__ import annotations

import pikepdf  # noqa: F401 - preloaded for the merge job
import pydyf
import weasyprint

from .fetcher import BASE_URL, StaticOnlyURLFetcher
from .jobs import AnchorBox, DocumentJob, DocumentResult, cpu_since_last_job, peak_rss_mb

__all__ = ["render_job"]

# One CSS pixel is 0.75 PDF points.
PX_TO_PT = 0.75

_WARM_UP_HTML = (
    "<html lang=\"en\"><body style=\"font-family: 'Noto Sans', 'DejaVu Sans', sans-serif\">"
    "<h1>A</h1><p>a <b>b</b> <i>c</i></p></body></html>"
)


_UNCACHED_PAGE_REFERENCES = pydyf.PDF.page_references


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """``pydyf.PDF.page_references``, built once per page count rather than on
    every call. WeasyPrint's PDF/UA tagging asks for it once per marked element,
    and pydyf builds the whole tuple (a reference per page) each time: work that
    grows with the square of the pages, about 1.5 ms a page in a 45-page chunk.
    Pages are only ever appended (``add_page``), so the number of entries in the
    page tree's ``Kids`` says whether the cached tuple is still whole."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_sar_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), _UNCACHED_PAGE_REFERENCES.fget(pdf))
        pdf.__dict__["_sar_page_references"] = cached
    return cached[1]


if isinstance(_UNCACHED_PAGE_REFERENCES, property):
    pydyf.PDF.page_references = property(_page_references)


def _warm_up() -> None:
    """Lay out a tiny page once, at import: fontconfig, Pango's font maps and the
    default stylesheets are loaded in the fork server, so every worker forked
    from it starts with them (about 40 ms of CPU saved per document)."""
    weasyprint.HTML(string=_WARM_UP_HTML, url_fetcher=StaticOnlyURLFetcher(())).render()


_warm_up()


def render_job(job: DocumentJob) -> DocumentResult:
    fetcher = StaticOnlyURLFetcher(job.roots)
    document = weasyprint.HTML(string=job.html, base_url=BASE_URL, url_fetcher=fetcher).render()
    wanted = set(job.anchors)
    anchors: dict[str, AnchorBox] = {}
    for index, page in enumerate(document.pages):
        for name, (x1, y1, x2, y2) in page.anchors.items():
            if name in wanted and name not in anchors:
                box = (x1 * PX_TO_PT, y1 * PX_TO_PT, x2 * PX_TO_PT, y2 * PX_TO_PT)
                anchors[name] = AnchorBox(index, *box)
    missing = wanted - anchors.keys()
    if missing:
        raise RuntimeError(f"{len(missing)} anchor(s) did not appear in the layout")
    if not job.layout_only:
        options = {"pdf_variant": "pdf/ua-1"} if job.tagged else {}
        document.write_pdf(job.out_path, **options)
    return DocumentResult(
        page_count=len(document.pages),
        anchors=anchors,
        peak_rss_mb=peak_rss_mb(),
        cpu_seconds=cpu_since_last_job(),
    )
