"""Reads that several screens share, scoped by who asks.

Parent selectors only ever look inside the signed-in person's own rows, so a
reference, id or URL belonging to someone else is a 404 (``Http404``), never a
403 that would confirm it exists. Staff selectors feed the case list and the
dashboard (overdue, due soon, paused, extended), sortable by due date and
filterable by caseworker and status.
"""

import datetime

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from sar import deadlines
from sar.models import (
    ANSWERED_STATUSES,
    AccessRequest,
    Child,
    ConsentToDisclose,
    SubjectCase,
    TimelineEntry,
)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


# Parents ----------------------------------------------------------------------


def requests_for_parent(user) -> QuerySet[AccessRequest]:
    """The person's own requests, newest first, with their cases and children
    (for "My requests")."""
    if not _signed_in(user):
        return AccessRequest.objects.none()
    return (
        AccessRequest.objects.filter(requester=user)
        .prefetch_related(
            Prefetch("cases", queryset=SubjectCase.objects.select_related("child").order_by("id"))
        )
        .order_by("-received_at", "-id")
    )


def request_for_parent(user, reference: str) -> AccessRequest:
    """One of the person's own requests by reference; ``Http404`` for anyone
    else's (or none)."""
    try:
        return requests_for_parent(user).get(reference=reference)
    except AccessRequest.DoesNotExist:
        raise Http404("No such request.") from None


def parent_timeline(user, reference: str) -> QuerySet[TimelineEntry]:
    """The entries of one of the person's own requests that a parent may see,
    oldest first; ``Http404`` for anyone else's request."""
    request = request_for_parent(user, reference)
    return (
        TimelineEntry.objects.filter(request=request, visible_to_parent=True)
        .select_related("case__child")
        .order_by("at", "id")
    )


def children_for_parent(user) -> QuerySet[Child]:
    if not _signed_in(user):
        return Child.objects.none()
    return Child.objects.filter(parent=user).order_by("created_at", "id")


def child_for_parent(user, pk) -> Child:
    try:
        return children_for_parent(user).get(pk=pk)
    except (Child.DoesNotExist, ValueError, TypeError):
        raise Http404("No such child.") from None


def consents_for_parent(user) -> QuerySet[ConsentToDisclose]:
    """Consents to disclose about the person or their children, newest first."""
    if not _signed_in(user):
        return ConsentToDisclose.objects.none()
    return (
        ConsentToDisclose.objects.filter(parent=user)
        .select_related("child")
        .order_by("-given_on", "-id")
    )


def consent_for_parent(user, pk) -> ConsentToDisclose:
    try:
        return consents_for_parent(user).get(pk=pk)
    except (ConsentToDisclose.DoesNotExist, ValueError, TypeError):
        raise Http404("No such consent.") from None


# Staff ------------------------------------------------------------------------

SORTS = {
    "due": (F("request__due_on").asc(nulls_last=True), "request__received_at", "id"),
    "-due": (F("request__due_on").desc(nulls_last=True), "-request__received_at", "-id"),
    "received": ("request__received_at", "id"),
    "-received": ("-request__received_at", "-id"),
}


def cases_for_staff(
    *,
    caseworker=None,
    unassigned: bool = False,
    statuses: list[str] | tuple[str, ...] | None = None,
    open_only: bool = False,
    sort: str = "due",
) -> QuerySet[SubjectCase]:
    """All cases for the staff list, with their request, child and caseworker.

    ``caseworker`` (a user) or ``unassigned`` filter by who has the case;
    ``statuses`` by status; ``open_only`` leaves out answered ones; ``sort`` is
    one of ``SORTS`` (by due date by default, cases whose clock has not started
    last)."""
    cases = SubjectCase.objects.select_related(
        "request", "request__requester", "child", "assigned_to"
    )
    if caseworker is not None:
        cases = cases.filter(assigned_to=caseworker)
    elif unassigned:
        cases = cases.filter(assigned_to__isnull=True)
    if statuses:
        cases = cases.filter(status__in=statuses)
    if open_only:
        cases = cases.exclude(status__in=ANSWERED_STATUSES)
    if sort not in SORTS:
        raise ValueError(f"Unknown sort {sort!r}.")
    return cases.order_by(*SORTS[sort])


def _open_running(today: datetime.date | None = None) -> QuerySet[SubjectCase]:
    # Open cases on a running clock: a paused or not-started clock has no
    # meaningful due date to be late against.
    return cases_for_staff(open_only=True).filter(
        request__clock_started_on__isnull=False, request__paused_since__isnull=True
    )


def cases_overdue(*, today: datetime.date | None = None) -> QuerySet[SubjectCase]:
    """Open cases whose due date has passed (clock running)."""
    today = today or deadlines.today()
    return _open_running().filter(request__due_on__lt=today)


def cases_due_within(days: int = 7, *, today: datetime.date | None = None) -> QuerySet[SubjectCase]:
    """Open cases due from today up to ``days`` days ahead (clock running)."""
    today = today or deadlines.today()
    return _open_running().filter(
        request__due_on__gte=today, request__due_on__lte=today + datetime.timedelta(days=days)
    )


def cases_paused() -> QuerySet[SubjectCase]:
    """Open cases whose request's clock is paused for a clarification."""
    return cases_for_staff(open_only=True).filter(request__paused_since__isnull=False)


def cases_extended() -> QuerySet[SubjectCase]:
    """Open cases whose request's time to respond has been extended."""
    return cases_for_staff(open_only=True).filter(request__extension_months__gt=0)


def dashboard_counts(*, today: datetime.date | None = None) -> dict[str, int]:
    """The numbers on the staff dashboard."""
    today = today or deadlines.today()
    return {
        "overdue": cases_overdue(today=today).count(),
        "due_within_7_days": cases_due_within(7, today=today).count(),
        "paused": cases_paused().count(),
        "extended": cases_extended().count(),
    }
