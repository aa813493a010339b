"""Fixtures for the parent's pages: a verified session (a confirmed email and
an authenticator app checked in this session, as tests/portal/accounts builds
it), the live confidentiality code, and helpers to walk the request journey."""

import pytest
from django.test import Client

from content.seed import publish_confidentiality_code
from tests.sar.views.journey import Journey, verify


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """The send-once lock lives in the cache: a private in-memory one per test,
    so a shared Redis (CI) is never cleared under other tests."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sar-parent-views",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def code_page(db):
    """The confidentiality code, published from the seed (with the home page)."""
    return publish_confidentiality_code()


@pytest.fixture
def parent_client(client, parent):
    return verify(client, parent)


@pytest.fixture
def other_client(other_parent):
    return verify(Client(), other_parent)


@pytest.fixture
def journey(parent_client, code_page):
    return Journey(parent_client)
