"""Request references: SAR-YYYY-NNNNN, numbered from 1 in each year.

The number comes from the year's ``ReferenceCounter`` row, locked with
``select_for_update`` for the rest of the caller's transaction: two requests
submitted at the same moment queue on the lock instead of both reading the
same highest reference (what ``max() + 1`` would do). The lock is held until
the caller's transaction commits, and a request that rolls back rolls its
number back with it, so numbers are unique and without gaps.
"""

from django.db import transaction

from sar.models import ReferenceCounter

PREFIX = "SAR"


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year:04d}-{number:05d}"


def allocate_reference(*, year: int) -> str:
    """The next reference for ``year``. Call inside the transaction that
    creates the request, so the number and the request commit together."""
    with transaction.atomic():
        # get_or_create under select_for_update: the first request of a year
        # inserts the row; a concurrent first request's insert fails on the
        # primary key and get_or_create then reads (and locks) the winner's row.
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return format_reference(year, counter.last_number)
