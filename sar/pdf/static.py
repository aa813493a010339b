"""Where the project's static files are, for the bundle's URL fetcher.

Read in the calling process (which has Django's settings) and handed to the
workers as plain paths; kept apart from ``fetcher`` so that reading it does not
import WeasyPrint.
"""

from __future__ import annotations

from pathlib import Path


def static_roots() -> tuple[tuple[str, Path], ...]:
    """``(prefix, directory)`` pairs where the project's static files live.

    Read from Django's staticfiles finders (the file-system and app-directory
    finders) and ``STATIC_ROOT``.
    """
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.finders import AppDirectoriesFinder, FileSystemFinder

    roots: list[tuple[str, Path]] = []
    for finder in finders.get_finders():
        if isinstance(finder, FileSystemFinder):
            for prefix, root in finder.locations:
                roots.append((prefix or "", Path(root)))
        elif isinstance(finder, AppDirectoriesFinder):
            for storage in finder.storages.values():
                roots.append((getattr(storage, "prefix", None) or "", Path(storage.location)))
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(("", Path(settings.STATIC_ROOT)))
    return tuple((prefix, root.resolve()) for prefix, root in roots if root.is_dir())
