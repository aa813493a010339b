"""The bundle's URL fetcher serves only our static files and never the network."""

import base64
import os
import pickle

import pytest
import weasyprint

from sar.pdf.fetcher import (
    BASE_URL,
    DATA_URI_MAX_BYTES,
    ResourceRefused,
    StaticOnlyURLFetcher,
    static_roots,
)
from tests.sar.pdf_support import hostile_html, listener, pdftotext_pages

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture
def static_dir(tmp_path):
    root = tmp_path / "static"
    (root / "sar").mkdir(parents=True)
    (root / "sar" / "logo.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("TOP-SECRET-OUTSIDE-STATIC")
    return root


@pytest.fixture
def fetcher(static_dir):
    return StaticOnlyURLFetcher([("", static_dir)])


@pytest.mark.parametrize(
    "url",
    [
        "static://bundle/static/sar/logo.png",
        "static:sar/logo.png",
        "/static/sar/logo.png",
        "static://bundle/sar/logo.png",
    ],
)
def test_serves_our_static_files(fetcher, url):
    response = fetcher(url)
    assert response.read() == PNG
    assert response.content_type == "image/png"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x.png",
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "javascript:alert(1)",
        "static://bundle/static/../secret.txt",
        "static://bundle/static/%2e%2e/secret.txt",
        "static:../../secret.txt",
        "/static/sar/../../secret.txt",
        "static://evil.example/static/sar/logo.png",
        "static://bundle/static/sar\\..\\..\\secret.txt",
        "static://bundle/static/missing.png",
        "data:text/css,body{background:url(http://127.0.0.1:9/x)}",
        "data:image/svg+xml,<svg/>",
        "data:text/html,<p>x</p>",
    ],
)
def test_refuses_everything_else(fetcher, url):
    with pytest.raises(ResourceRefused):
        fetcher(url)


def test_refuses_a_symlink_out_of_the_static_files(fetcher, static_dir):
    os.symlink(static_dir.parent / "secret.txt", static_dir / "sar" / "link.txt")
    with pytest.raises(ResourceRefused):
        fetcher("static:sar/link.txt")


def test_small_inline_raster_images_are_allowed_and_large_ones_refused(fetcher):
    small = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert fetcher(small).read() == PNG
    big = "data:image/png;base64," + base64.b64encode(b"\0" * (DATA_URI_MAX_BYTES + 1)).decode()
    with pytest.raises(ResourceRefused):
        fetcher(big)


def test_the_fetcher_pickles_for_worker_processes(fetcher, static_dir):
    clone = pickle.loads(pickle.dumps(fetcher))  # noqa: S301 - our own bytes
    assert clone.roots == fetcher.roots
    assert clone("static:sar/logo.png").read() == PNG


def test_static_roots_come_from_the_staticfiles_finders():
    roots = static_roots()
    assert roots, "the project has static files"
    assert all(root.is_dir() for _, root in roots)


def test_weasyprint_renders_hostile_html_without_a_single_request(fetcher, tmp_path):
    with listener() as (port, requests):
        html = f"<html lang='en'><title>t</title><body>{hostile_html(port)}</body></html>"
        document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        pdf = document.write_pdf()
    assert requests == []
    text = "".join(pdftotext_pages(pdf, tmp_path))
    assert "Hostile record." in text
    assert "After." in text
    assert "root:" not in text
    # WeasyPrint never runs script, but it would print its text if not sanitised:
    # the bundle's sanitiser removes it (see test_pdf_sanitise).
    assert b"/EmbeddedFile" not in pdf
    with open("/etc/passwd", "rb") as passwd:
        first_line = passwd.readline().strip()
    assert first_line not in pdf
