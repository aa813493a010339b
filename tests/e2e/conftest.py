"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server. Mark a module with ``pytestmark = [pytest.mark.e2e,
pytest.mark.django_db(transaction=True, serialized_rollback=True)]`` (serialized
rollback restores the rows that data migrations create, such as Wagtail's page
tree and the staff groups, after each test truncates the tables)."""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The real binary avoids a warning that Debian's /usr/bin/chromium wrapper prints.
CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.path.exists(p)),
    shutil.which("chromium") or "/usr/bin/chromium",
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    """A cache of each test module's own in this process: the live server's
    throttles and cached pages never see another run's, or the shared cache."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.module.__name__,
        }
    }
    cache.clear()


@pytest.fixture(scope="session")
def browser():
    from django.db import connections

    # Playwright's sync API leaves an event loop running in this thread, and
    # Django then keeps its connections per context rather than per thread:
    # the connection objects the tests use from here on are new ones. Hand
    # them the data that serialized rollback restores after each flush.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """The same at a 320px-wide phone viewport (WCAG reflow)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def console_errors(page):
    """Console errors on the page (a CSP violation shows up here)."""
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    return errors
