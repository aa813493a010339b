"""Settings for django-q2 workers (``manage.py qcluster``): the site's own,
less the applications that only serve the Wagtail admin's pages.

A worker runs the portal's tasks (bundles, notices, reminders, the outbox relay,
the disposal queue); it never serves a page. Set up with every application,
it imports what the admin's pages need: the admin's views and hooks, the
snippets' and redirects' APIs (django-ninja, pydantic, Django REST framework
and, through it, psycopg even on SQLite), Willow and Pillow's HEIF plugin for
images. That is 145 MB of resident memory before a worker's first task; without
them, 91 MB (134 MB once an email has loaded the URL configuration), so the
process that prepares a bundle stays under 150 MB (see README, Benchmarks).

Leaving them out is safe because no task touches their rows, and their models
point only at rows no task deletes (users, groups, pages, sites, collections,
content types, tags): tests/portal/test_settings.py holds them to the second,
and the cluster tests (tests/cluster.py) run every kind of task in a worker
set up with this module. The
URL configuration is the site's own, so emails link to any page, the admin's
included. ``manage.py qcluster`` uses this module unless DJANGO_SETTINGS_MODULE
says otherwise.
"""

from portal.settings import *  # noqa: F403
from portal.settings import INSTALLED_APPS, MIDDLEWARE

ADMIN_ONLY_APPS = (
    "wagtail.admin",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.contrib.redirects",
    "wagtail.images",
    "wagtail.documents",
)

INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ADMIN_ONLY_APPS]
MIDDLEWARE = [name for name in MIDDLEWARE if not name.startswith("wagtail.contrib.redirects.")]
