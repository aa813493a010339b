import pytest


def pytest_configure(config):
    import tempfile

    from django.conf import settings

    # Tests serve static files from the source folders (the live server's
    # finders), never from a collected STATIC_ROOT that may be out of date.
    # (STATIC_HASHED=false, set in pyproject.toml, serves them under plain names.)
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="portal-static-")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes files to its own throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
