import pytest


@pytest.fixture(autouse=True)
def _media_root():
    """Overrides the per-test MEDIA_ROOT of tests/conftest.py: the world's
    files live in one throwaway folder for the module (see world.py)."""
