"""The release bundle's PDF engine: HTML from templates -> WeasyPrint in chunks -> one PDF.

Public API (imported lazily, so a worker process importing ``sar.pdf.worker``
loads neither Django nor the template code):

- ``render_bundle_file(out_path, *, front_matter, records, header_text,
  load_chunk=None, chunk_size=50, processes=2, on_progress=None, stats=None)``,
  and ``render_bundle(**same) -> bytes`` for small documents and tests
- ``FrontMatter``, ``ServiceDetails``, ``RecordHTML``, ``RecordEntry``: what goes in
- ``segments_to_html`` (redacted text -> record body HTML), ``sanitise_record_html``
- ``StaticOnlyURLFetcher``: WeasyPrint fetcher that serves only our static files
- ``prepare_renderer()``: start the worker fork server ahead of the first bundle
- ``BundleRenderError``, ``RenderStats``
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "render_bundle": "render",
    "render_bundle_file": "render",
    "prepare_renderer": "render",
    "BundleRenderError": "render",
    "RenderStats": "render",
    "FrontMatter": "html",
    "ServiceDetails": "html",
    "RecordHTML": "html",
    "RecordEntry": "html",
    "segments_to_html": "sanitise",
    "sanitise_record_html": "sanitise",
    "redaction_box": "sanitise",
    "StaticOnlyURLFetcher": "fetcher",
    "ResourceRefused": "fetcher",
    "static_roots": "static",
}

__all__ = [
    "BundleRenderError",
    "FrontMatter",
    "RecordEntry",
    "RecordHTML",
    "RenderStats",
    "ResourceRefused",
    "ServiceDetails",
    "StaticOnlyURLFetcher",
    "prepare_renderer",
    "redaction_box",
    "render_bundle",
    "render_bundle_file",
    "sanitise_record_html",
    "segments_to_html",
    "static_roots",
]

if TYPE_CHECKING:  # pragma: no cover
    from .fetcher import ResourceRefused, StaticOnlyURLFetcher
    from .html import FrontMatter, RecordEntry, RecordHTML, ServiceDetails
    from .render import (
        BundleRenderError,
        RenderStats,
        prepare_renderer,
        render_bundle,
        render_bundle_file,
    )
    from .sanitise import redaction_box, sanitise_record_html, segments_to_html
    from .static import static_roots


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
