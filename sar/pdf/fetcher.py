"""A WeasyPrint URL fetcher that never touches the network or the file system at large.

Record bodies are untrusted HTML (emails, pasted documents), so anything in them
that names a resource must fetch nothing: ``http:``, ``https:``, ``ftp:``,
``file:`` and every other scheme are refused. The only things served are:

- the project's own static files, named ``/static/<path>`` (relative to the
  bundle's base URL, ``static:`` + ``//<path>``, as the templates write them) or
  ``static:<path>``, resolved inside the static roots given at construction
  (the staticfiles finders' locations and ``STATIC_ROOT``), with any path that
  leaves a root refused;
- small ``data:`` URIs for raster images (PNG, JPEG, GIF, WebP) up to
  ``DATA_URI_MAX_BYTES``: they carry their bytes inline, so they reach nothing,
  and a size cap keeps a hostile record from making a worker decode megabytes.
  ``data:`` URIs of any other type (CSS, SVG, HTML, fonts) are refused, because
  they could themselves name further resources.

A refusal raises ``ResourceRefused`` (an ``OSError``), which WeasyPrint logs and
treats as a missing resource: the render goes on without it.

The fetcher holds only paths, so it can be built in the parent process (which
knows Django's settings) and sent to worker processes (which do not load Django).
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .static import static_roots

__all__ = ["BASE_URL", "ResourceRefused", "StaticOnlyURLFetcher", "static_roots"]

STATIC_SCHEME = "static"
# The base URL the bundle's HTML is rendered with: relative URLs and "/static/..."
# resolve to "static://bundle/static/...", which only this fetcher understands.
BUNDLE_HOST = "bundle"
BASE_URL = f"{STATIC_SCHEME}://{BUNDLE_HOST}/"
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
DATA_URI_MAX_BYTES = 256 * 1024
DATA_URI_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


class ResourceRefused(OSError):
    """The bundle may not load this resource (WeasyPrint carries on without it)."""


class StaticOnlyURLFetcher(URLFetcher):
    """Serves the project's static files and small inline images; refuses the rest."""

    def __init__(self, roots: Iterable[tuple[str, Path | str]] = (), **kwargs):
        # fail_on_errors=False: a refused resource is a warning, not a failed bundle.
        super().__init__(fail_on_errors=False, allowed_protocols=(), **kwargs)
        self.roots: Sequence[tuple[str, Path]] = tuple(
            (prefix.strip("/"), Path(root).resolve()) for prefix, root in roots
        )

    def __reduce__(self):
        # Picklable for worker processes: rebuild from the roots alone.
        return (type(self), ([(prefix, str(root)) for prefix, root in self.roots],))

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        match = _SCHEME_RE.match(url)
        scheme = match[1].lower() if match else ""
        if scheme == "data":
            return self._fetch_data(url[match.end() :])
        # No scheme: a path WeasyPrint could not join to the base URL ("/static/x.css").
        if scheme in ("", STATIC_SCHEME):
            return self._fetch_static(url)
        raise ResourceRefused(f"Refused to fetch a {scheme}: URL in a bundle")

    def _fetch_data(self, rest: str) -> URLFetcherResponse:
        header, comma, payload = rest.partition(",")
        if not comma:
            raise ResourceRefused("Malformed data: URI")
        params = header.split(";")
        mime_type = params[0].strip().lower()
        if mime_type not in DATA_URI_IMAGE_TYPES:
            raise ResourceRefused(f"Refused data: URI of type {mime_type or 'text/plain'}")
        # Base64 grows data by 4/3; percent-encoding by up to 3x. Cap before decoding.
        if len(payload) > DATA_URI_MAX_BYTES * 3:
            raise ResourceRefused("Refused a data: URI larger than the limit")
        if "base64" in (p.strip().lower() for p in params[1:]):
            try:
                body = base64.b64decode(urllib.parse.unquote(payload), validate=False)
            except ValueError as error:
                raise ResourceRefused("Malformed base64 in data: URI") from error
        else:
            body = urllib.parse.unquote_to_bytes(payload)
        if len(body) > DATA_URI_MAX_BYTES:
            raise ResourceRefused("Refused a data: URI larger than the limit")
        return URLFetcherResponse("data:", body, {"Content-Type": mime_type})

    def resolve(self, url: str) -> Path:
        """The file a ``static:`` URL names, or ``ResourceRefused``."""
        parsed = urllib.parse.urlsplit(url)
        if parsed.netloc not in ("", BUNDLE_HOST):
            raise ResourceRefused("Refused a static URL naming another host")
        path = urllib.parse.unquote(parsed.path)
        if "\\" in path or "\x00" in path:
            raise ResourceRefused("Refused a static path with a backslash or NUL")
        normalised = posixpath.normpath("/" + path).lstrip("/")
        # "/static/x.css" from the bundle's base URL, or "static:x.css" written directly.
        static_prefix = "static/"
        if normalised.startswith(static_prefix):
            normalised = normalised[len(static_prefix) :]
        if not normalised or normalised.startswith("..") or ".." in Path(normalised).parts:
            raise ResourceRefused("Refused a static path outside the static files")
        for prefix, root in self.roots:
            relative = normalised
            if prefix:
                if not normalised.startswith(prefix + "/"):
                    continue
                relative = normalised[len(prefix) + 1 :]
            candidate = (root / relative).resolve()
            # resolve() follows symlinks: the real file must still be under the root.
            if candidate.is_file() and candidate.is_relative_to(root):
                return candidate
        raise ResourceRefused("No such static file for the bundle")

    def _fetch_static(self, url: str) -> URLFetcherResponse:
        path = self.resolve(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})
