"""Helpers for the PDF engine's tests: a local listener that records requests, and
text extraction with poppler's pdftotext and with pypdf."""

from __future__ import annotations

import io
import subprocess
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.requests.append(self.path)
        body = b"body { color: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass


@contextmanager
def listener():
    """An HTTP server on 127.0.0.1 that records every request; yields (port, requests)."""
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def hostile_html(port: int) -> str:
    """Every way we know for HTML to make WeasyPrint fetch something."""
    base = f"http://127.0.0.1:{port}"
    return f"""
<link rel="stylesheet" href="{base}/link.css">
<link rel="attachment" href="file:///etc/passwd">
<style>
@import url({base}/import.css);
@font-face {{ font-family: Evil; src: url({base}/font.woff); }}
body {{ background: url({base}/background.png); font-family: Evil, sans-serif; }}
</style>
<p>Hostile record.</p>
<img src="{base}/img.png" alt="image">
<img src="file:///etc/passwd" alt="passwd">
<object data="{base}/object.png"></object>
<embed src="{base}/embed.png">
<iframe src="{base}/iframe.html"></iframe>
<svg width="10" height="10"><image href="{base}/svg.png" width="10" height="10"/></svg>
<a rel="attachment" href="{base}/attach.bin">attachment</a>
<div style="background-image: url('{base}/inline.png')">styled</div>
<script>document.write('SCRIPT-RAN')</script>
<p>After.</p>
"""


def pdftotext_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """Text of each page, as poppler's pdftotext reads it."""
    path = tmp_path / "extract.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pypdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
