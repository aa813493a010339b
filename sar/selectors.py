"""Reads that several screens share, scoped by who asks.

Parent selectors only ever look inside the signed-in person's own rows, so a
reference, id or URL belonging to someone else is a 404 (``Http404``), never a
403 that would confirm it exists. Staff selectors feed the case list and the
dashboard (overdue, due soon, paused, extended), sortable by due date and
filterable by caseworker and status.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from sar import deadlines, roles
from sar.models import (
    ANSWERED_STATUSES,
    AccessRequest,
    CaseStatus,
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


def parent_has_case(user, reference: str, case_id) -> bool:
    """Whether the subject case ``case_id`` is on the person's own request
    ``reference`` (one query, for a page that needs only to know)."""
    return requests_for_parent(user).filter(reference=reference, cases__pk=case_id).exists()


def parent_timeline(user, reference: "str | AccessRequest") -> QuerySet[TimelineEntry]:
    """The entries of one of the person's own requests that a parent may see,
    oldest first; ``Http404`` for anyone else's request. ``reference`` may be
    the request itself, already looked up for this person (its page has it):
    it is used as it is only when it is theirs."""
    if (
        isinstance(reference, AccessRequest)
        and _signed_in(user)
        and reference.requester_id == user.pk
    ):
        request = reference
    else:
        request = request_for_parent(user, getattr(reference, "reference", reference))
    # The parent's pages show each entry's time and message only.
    return TimelineEntry.objects.filter(request=request, visible_to_parent=True).order_by(
        "at", "id"
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


def service_user_by_email(email: str):
    """The parent or young person (never a staff account) whose email address
    is ``email``, or None. Only an email address is looked up: anything else
    (a NUL byte, say, which PostgreSQL refuses) never reaches the database."""
    try:
        validate_email(email)
    except ValidationError:
        return None
    return (
        get_user_model()
        .objects.filter(email__iexact=email, is_staff=False, is_superuser=False)
        .first()
    )


def cases_for_staff(
    *,
    viewer=None,
    caseworker=None,
    unassigned: bool = False,
    statuses: list[str] | tuple[str, ...] | None = None,
    open_only: bool = False,
    sort: str = "due",
) -> QuerySet[SubjectCase]:
    """All cases for the staff list, with their request, child and caseworker.

    ``viewer`` (the member of staff looking) scopes the list to what they may
    see: never a request they made themselves, and cases on safeguarding hold
    only for ``roles.may_see_holds``; None means every case (tasks, reports).
    ``caseworker`` (a user) or ``unassigned`` filter by who has the case;
    ``statuses`` by status; ``open_only`` leaves out answered ones; ``sort`` is
    one of ``SORTS`` (by due date by default, cases whose clock has not started
    last)."""
    cases = SubjectCase.objects.select_related(
        "request", "request__requester", "child", "assigned_to"
    )
    if viewer is not None:
        cases = cases.exclude(request__requester=viewer)
        if not roles.may_see_holds(viewer):
            cases = cases.exclude(status=CaseStatus.ON_HOLD)
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


def case_for_staff(viewer, pk) -> SubjectCase:
    """One case the member of staff ``viewer`` may see (``cases_for_staff``);
    ``Http404`` for any other, so a hold is not revealed by its id."""
    try:
        return cases_for_staff(viewer=viewer).get(pk=pk)
    except (SubjectCase.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case.") from None


# The timeline entries of the safeguarding steps (``sar.workflow.table``).
HOLD_STEPS = ("place_hold", "lift_hold")


def staff_timeline(viewer, case: SubjectCase) -> QuerySet[TimelineEntry]:
    """Every entry of ``case``'s request, oldest first, for the staff case
    page: those the parent sees and those they never do. A viewer who may not
    see holds does not see the holds placed and lifted on it either."""
    entries = TimelineEntry.objects.filter(request_id=case.request_id).select_related(
        "actor", "case__child", "case__request"
    )
    if not roles.may_see_holds(viewer):
        entries = entries.exclude(kind__in=HOLD_STEPS)
    return entries.order_by("at", "id")


def caseworkers() -> QuerySet:
    """The people a case can be assigned to, by name (``roles.has_role``:
    active members of the Caseworker group, and superusers)."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name=roles.CASEWORKER) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )


def days_overdue(case: SubjectCase, *, today: datetime.date | None = None) -> int:
    """How many days past its due date ``case`` is (0 if it is not overdue):
    the same rule as ``cases_overdue``, for one case already in hand."""
    today = today or deadlines.today()
    request = case.request
    if (
        case.status in ANSWERED_STATUSES
        or request.clock_started_on is None
        or request.paused_since is not None
        or request.due_on is None
    ):
        return 0
    return max((today - request.due_on).days, 0)


def _open_running(*, viewer=None) -> QuerySet[SubjectCase]:
    # Open cases on a running clock: a paused or not-started clock has no
    # meaningful due date to be late against.
    return cases_for_staff(viewer=viewer, open_only=True).filter(
        request__clock_started_on__isnull=False, request__paused_since__isnull=True
    )


def cases_overdue(*, today: datetime.date | None = None, viewer=None) -> QuerySet[SubjectCase]:
    """Open cases whose due date has passed (clock running)."""
    today = today or deadlines.today()
    return _open_running(viewer=viewer).filter(request__due_on__lt=today)


def cases_due_within(
    days: int = 7, *, today: datetime.date | None = None, viewer=None
) -> QuerySet[SubjectCase]:
    """Open cases due from today up to ``days`` days ahead (clock running)."""
    today = today or deadlines.today()
    return _open_running(viewer=viewer).filter(
        request__due_on__gte=today, request__due_on__lte=today + datetime.timedelta(days=days)
    )


def cases_paused(*, viewer=None) -> QuerySet[SubjectCase]:
    """Open cases whose request's clock is paused for a clarification."""
    return cases_for_staff(viewer=viewer, open_only=True).filter(
        request__paused_since__isnull=False
    )


def cases_extended(*, viewer=None) -> QuerySet[SubjectCase]:
    """Open cases whose request's time to respond has been extended."""
    return cases_for_staff(viewer=viewer, open_only=True).filter(request__extension_months__gt=0)


def dashboard_counts(*, today: datetime.date | None = None, viewer=None) -> dict[str, int]:
    """The numbers on the staff dashboard, over the cases ``viewer`` may see.
    "on_hold" is left out for a viewer who may not see holds."""
    today = today or deadlines.today()
    counts = {
        "overdue": cases_overdue(today=today, viewer=viewer).count(),
        "due_within_7_days": cases_due_within(7, today=today, viewer=viewer).count(),
        "paused": cases_paused(viewer=viewer).count(),
        "extended": cases_extended(viewer=viewer).count(),
        "awaiting_approval": cases_for_staff(
            viewer=viewer, statuses=[CaseStatus.AWAITING_APPROVAL]
        ).count(),
    }
    if viewer is None or roles.may_see_holds(viewer):
        counts["on_hold"] = cases_for_staff(viewer=viewer, statuses=[CaseStatus.ON_HOLD]).count()
    return counts
