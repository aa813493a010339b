import pytest


def pytest_configure(config):
    import tempfile

    from django.conf import settings

    # Tests serve static files from the source folders (the live server's
    # finders), never from a collected STATIC_ROOT that may be out of date.
    # (STATIC_HASHED=false, set in pyproject.toml, serves them under plain names.)
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="portal-static-")


@pytest.fixture(autouse=True)
def _footer_forgotten():
    """Each test draws the footer from its own database: a web process's copy
    of it (content.footer) would outlive the rollback of the one before."""
    from content import footer

    footer.forget_local()
    yield
    footer.forget_local()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes files to its own throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_collection_modifyitems(items):
    """Every transactional test restores the rows that migrations create.

    A transactional test empties every table when it ends. Without serialized
    rollback, the next test finds no Wagtail page tree, no staff groups and
    content types recreated with new keys, and a later serialized test then
    fails to restore them; so the rule holds for all of them, not by habit.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True),
                append=False,
            )
