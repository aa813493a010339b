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
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

FOOTER_CACHE_KEY = "content.footer"
FOOTER_SECONDS = 5 * 60


def footer_contact() -> dict:
    """The footer's values (see ``portal/includes/footer.html``), from the
    cache or else from the database."""
    found = cache.get(FOOTER_CACHE_KEY)
    if found is None:
        found = _from_database()
        cache.set(FOOTER_CACHE_KEY, found, FOOTER_SECONDS)
    return found


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
    cache.delete(FOOTER_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(FOOTER_CACHE_KEY))


def forget_on_change(sender, **kwargs) -> None:
    """``post_save`` / ``post_delete`` receiver: only contact details, sites
    and pages (any kind) change what the footer shows."""
    from wagtail.models import Page, Site

    from content.models import ContactDetails

    if issubclass(sender, (ContactDetails, Site, Page)):
        forget()
