"""What the service holds about a person, at a glance: for their "Your data"
page, the start of their right of access.

Counts and dates only, never the contents of a record: the records
themselves are what a request for records is for. Every read is scoped to
the person asking (their own case file, children, requests and consents).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q, QuerySet

from sar import selectors
from sar.models import (
    ANSWERED_STATUSES,
    AccessRequest,
    Child,
    Record,
    RecordKind,
    ServiceCase,
)


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class RecordsHeld:
    """The person's case file(s) in numbers."""

    cases: int = 0
    open_cases: int = 0
    opened_on: dt.date | None = None
    total: int = 0
    first_on: dt.date | None = None
    last_on: dt.date | None = None
    by_kind: list[KindCount] = field(default_factory=list)


def records_held(user) -> RecordsHeld:
    """How many records the service keeps on ``user``'s case file(s), by kind,
    and the dates they span (three small aggregate queries)."""
    cases = ServiceCase.objects.filter(service_user=user).aggregate(
        count=Count("id"),
        open=Count("id", filter=Q(closed_on__isnull=True)),
        opened=Min("opened_on"),
    )
    if not cases["count"]:
        return RecordsHeld()
    records = Record.objects.filter(case__service_user=user)
    span = records.aggregate(total=Count("id"), first=Min("date"), last=Max("date"))
    counts = dict(records.values_list("kind").annotate(n=Count("id")).order_by())
    return RecordsHeld(
        cases=cases["count"],
        open_cases=cases["open"],
        opened_on=cases["opened"],
        total=span["total"],
        first_on=span["first"],
        last_on=span["last"],
        # In the order the kinds are listed everywhere else, most common first.
        by_kind=sorted(
            (
                KindCount(kind, str(label), counts[kind])
                for kind, label in RecordKind.choices
                if counts.get(kind)
            ),
            key=lambda k: -k.count,
        ),
    )


def children_recorded(user) -> QuerySet[Child]:
    """The children ``user`` told us about, and those on their case file."""
    return (
        Child.objects.filter(Q(parent=user) | Q(service_cases__service_user=user))
        .distinct()
        .order_by("date_of_birth", "id")
    )


def open_requests(user) -> list[AccessRequest]:
    """``user``'s requests not yet answered for everyone they are about."""
    return [
        request
        for request in selectors.requests_for_parent(user)
        if any(case.status not in ANSWERED_STATUSES for case in request.cases.all())
    ]
