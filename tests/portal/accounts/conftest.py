import pytest

from tests.portal.accounts.factories import (
    ParentFactory,
    StaffFactory,
    add_backup_codes,
    add_totp,
)


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Sign-in and verification limits live in the cache: each test starts with
    none counted. A private in-memory cache, so a shared Redis (CI) is not
    cleared under other tests."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "accounts-tests",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def parent(db):
    return ParentFactory()


@pytest.fixture
def totp_device(parent):
    device = add_totp(parent)
    add_backup_codes(parent)
    return device


@pytest.fixture
def staff(db):
    return StaffFactory()
