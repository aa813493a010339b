"""What every page's footer shows: the default site's contact details and the
address of the confidentiality code.

Every page, for every visitor, draws the same footer, so it is read from the
cache that every web process shares (the database table, or Redis) rather
than built on each page: one cache read instead of two queries and a
confidentiality code page built (with its whole body) only for its address.
It holds nothing personal. It is dropped whenever a contact details setting,
a site or a page is saved, deleted or moved (``forget``, connected in
``content.apps``), so an edit shows on the next page; ``FOOTER_SECONDS`` only
bounds how long a change made behind Django's back (SQL by hand) can hide.

Each web process also keeps the values it last read for
``FOOTER_LOCAL_SECONDS``, so a page costs no cache read at all (with the
database cache a read is a query, on every page). The process that saves
the change forgets its copy at once; the others show the new footer within
those few seconds.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

FOOTER_CACHE_KEY = "content.footer"
FOOTER_SECONDS = 5 * 60
FOOTER_LOCAL_SECONDS = 10

# (read at, in time.monotonic() seconds; the values) in this process, or None.
_local: tuple[float, dict] | None = None


def footer_contact() -> dict:
    """The footer's values (see ``portal/includes/footer.html``), from this
    process's copy, the shared cache or else the database."""
    global _local
    now = time.monotonic()
    if _local is not None and now - _local[0] < FOOTER_LOCAL_SECONDS:
        return _local[1]
    found = cache.get(FOOTER_CACHE_KEY)
    if found is None:
        found = _from_database()
        cache.set(FOOTER_CACHE_KEY, found, FOOTER_SECONDS)
    _local = (now, found)
    return found


def forget_local() -> None:
    """Drop this process's copy (the shared cache keeps its own)."""
    global _local
    _local = None


def _from_database() -> dict:
    from content.models import ContactDetails

    contact = ContactDetails.for_default_site()
    page = contact.confidentiality_page
    return {
        "service_name": contact.service_name,
        "phone": contact.phone,
        "phone_uri": contact.phone_uri,
        "email": contact.email,
        "address": contact.address,
        "opening_hours": contact.opening_hours,
        "confidentiality_url": (page.url or "") if page is not None else "",
    }


def forget(**kwargs) -> None:
    """Drop the cached footer now and again once the change is committed, so
    a page drawn from the old rows while the change was being saved does not
    keep them."""

    def drop():
        forget_local()
        cache.delete(FOOTER_CACHE_KEY)

    drop()
    transaction.on_commit(drop)


def forget_on_change(sender, **kwargs) -> None:
    """``post_save`` / ``post_delete`` receiver: only contact details, sites
    and pages (any kind) change what the footer shows."""
    from wagtail.models import Page, Site

    from content.models import ContactDetails

    if issubclass(sender, (ContactDetails, Site, Page)):
        forget()
