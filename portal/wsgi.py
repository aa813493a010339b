import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()


def warm_up() -> None:
    """Fill the caches every web process otherwise fills on its first
    requests: the URL patterns, the translations and the project's templates,
    compiled, and the bank holidays. gunicorn calls it in its master once the
    application is imported (``when_ready`` in portal/gunicorn.conf.py), so
    each worker forked from it, the first ones and those recycled after
    ``max_requests``, serves its first pages as fast as its hundredth
    (without it, the first pages of a new worker cost some 600 ms more of
    processor). Reads files only: no database, no network."""
    import datetime
    import sys
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver, reverse
    from django.utils import translation

    from portal.govuk_forms import GovukFormMixin
    from sar.deadlines import is_bank_holiday

    # Loads the catalogues (Django's, Wagtail's, ours), kept for the process.
    with translation.override(settings.LANGUAGE_CODE):
        translation.gettext("Continue")
    get_resolver().resolve("/")
    reverse("accounts:dashboard")  # the reverse lookups, built on first use
    project = Path(settings.BASE_DIR).resolve()
    environment = Path(sys.prefix).resolve()  # the virtualenv may sit inside the project
    site_engine = engines["django"]
    forms_engine = GovukFormMixin.default_renderer.engine
    for app in apps.get_app_configs():
        folder = Path(app.path).resolve() / "templates"
        if project not in folder.parents or environment in folder.parents or not folder.is_dir():
            continue  # the project's own apps only: not Django's or Wagtail's
        for path in sorted(folder.rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            engine = forms_engine if name.startswith("portal/forms/") else site_engine
            engine.get_template(name)
    # The holidays package and this year's and next year's tables: every
    # booking page and deadline asks (sar.deadlines keeps one table a year).
    this_year = datetime.date.today().year
    for year in (this_year, this_year + 1):
        is_bank_holiday(datetime.date(year, 1, 1))


def gc_freeze() -> None:
    """Put every object made so far (Django, Wagtail, the caches ``warm_up``
    filled) out of the garbage collector's reach for the life of the process.

    They live as long as the process anyway, yet every full collection walks
    them all, hundreds of thousands of objects, during whichever request
    happens to trigger it. gunicorn's master calls this last, before it forks
    the web processes (``when_ready``): the collector then walks only what a
    worker made itself, and, as the Python documentation advises for a
    server that forks, it no longer writes to the inherited objects' pages,
    which stay shared between the processes."""
    import gc

    gc.freeze()
