"""Staff reads of personal records, from the audit trail (what counts as a read
is ``portal.audit.reads``).

For a parent: ``staff_reads_of`` finds the reads of anything that is theirs
(their requests and cases, case file and its records, bundles, children,
consents, appointments and the person themselves) with one query, each kind
of object matched through a subquery scoped to them, so the page never loads
the trail to filter it. ``describe_reads`` puts a page of those events in the
parent's words: when, who (by role, or by name where the service chooses),
what, and why.

For administrators: ``reads_per_week`` counts reads per member of staff per
ISO week (Europe/London); ``reads_of_unassigned_cases`` lists who read a
case that was not assigned to them (``SubjectCase.assigned_to``,
``ServiceCase.caseworker``), with how often and when last.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, Max, Q, QuerySet
from django.db.models.functions import Cast, ExtractIsoYear, ExtractWeek
from django.utils.translation import gettext as _

from portal.audit.models import AuditEvent
from portal.audit.reads import staff_reads
from sar import deadlines, roles
from sar.models import (
    AccessRequest,
    Bundle,
    Child,
    ConsentToDisclose,
    Record,
    ServiceCase,
    SubjectCase,
    SubjectKind,
)

SUBJECT_CASE = "sar.subjectcase"
SERVICE_CASE = "sar.servicecase"
RECORD = "sar.record"
BUNDLE = "sar.bundle"
BOOKING = "appointments.booking"


def _user_type() -> str:
    return get_user_model()._meta.label_lower


def _owned(user) -> dict[str, QuerySet]:
    """Each kind of object that is ``user``'s, as a queryset of their own rows."""
    Booking = apps.get_model("appointments", "Booking")
    return {
        SUBJECT_CASE: SubjectCase.objects.filter(request__requester=user),
        "sar.accessrequest": AccessRequest.objects.filter(requester=user),
        SERVICE_CASE: ServiceCase.objects.filter(service_user=user),
        RECORD: Record.objects.filter(case__service_user=user),
        BUNDLE: Bundle.objects.filter(subject_case__request__requester=user),
        "sar.child": Child.objects.filter(parent=user),
        "sar.consenttodisclose": ConsentToDisclose.objects.filter(parent=user),
        BOOKING: Booking.objects.filter(request__requester=user),
    }


def staff_reads_of(user) -> QuerySet[AuditEvent]:
    """Staff reads of anything that is ``user``'s, newest first."""
    if user is None or not user.is_authenticated:
        return AuditEvent.objects.none()
    whose = Q(object_type=_user_type(), object_id=str(user.pk))
    for object_type, owned in _owned(user).items():
        # object_id is text: compare with the ids as text, inside the subquery.
        ids = owned.annotate(_id=Cast("pk", output_field=CharField())).values("_id")
        whose |= Q(object_type=object_type, object_id__in=ids)
    return (
        staff_reads()
        .filter(whose)
        .exclude(actor=user)
        .select_related("actor")
        .order_by("-timestamp", "-id")
    )


# Who ------------------------------------------------------------------------

# A parent reads a role, never a group name; the first that applies is used.
# A safeguarding lead is "a member of staff" and never named: a parent must not
# learn from this page that safeguarding is involved.
_ROLE_LABELS = (
    (roles.CASEWORKER, "A caseworker", "caseworker"),
    (roles.APPROVER, "An approver", "approver"),
    (roles.ADMINISTRATOR, "An administrator", "administrator"),
)
STAFF_LABEL = "A member of staff"


def staff_labels(actors: Iterable, *, show_names: bool) -> dict[int, str]:
    """How a parent sees each member of staff in ``actors``: "A caseworker",
    or (``show_names``) "Sam Patel (caseworker)"."""
    actors = {a.pk: a for a in actors if a is not None}
    groups: dict[int, set[str]] = defaultdict(set)
    memberships = get_user_model().groups.through.objects.filter(user_id__in=actors)
    for user_id, name in memberships.values_list("user_id", "group__name"):
        groups[user_id].add(name)
    labels = {}
    for pk, actor in actors.items():
        held = groups[pk] | ({roles.ADMINISTRATOR} if actor.is_superuser else set())
        label = next(((r, lbl, w) for r, lbl, w in _ROLE_LABELS if r in held), None)
        if label is None:
            labels[pk] = _(STAFF_LABEL)
        elif show_names and actor.get_full_name():
            labels[pk] = f"{actor.get_full_name()} ({_(label[2])})"
        else:
            labels[pk] = _(label[1])
    return labels


def staff_roles(users: Iterable) -> dict[int, str]:
    """The case roles each of ``users`` holds, for staff screens ("Approver,
    Caseworker"; "Superuser" for a superuser in none)."""
    users = {u.pk: u for u in users if u is not None}
    held: dict[int, list[str]] = defaultdict(list)
    memberships = get_user_model().groups.through.objects.filter(
        user_id__in=users, group__name__in=roles.CASE_STAFF_ROLES
    )
    for user_id, name in memberships.values_list("user_id", "group__name").order_by("group__name"):
        held[user_id].append(name)
    return {
        pk: ", ".join(held[pk]) or (_("Superuser") if user.is_superuser else "")
        for pk, user in users.items()
    }


# What and why ------------------------------------------------------------------


def _purposes() -> dict[str, str]:
    """The purposes staff screens record, in a parent's words. Any other
    purpose is shown as "To work on your case": a reason written for staff
    is never shown to a parent as it is."""
    from appointments.admin_views import VIEW_PURPOSE as DIARY_PURPOSE
    from sar.admin_views.access import CASE_VIEW_PURPOSE, CONSENTS_VIEW_PURPOSE
    from sar.case_studies import CASE_STUDY_PURPOSE

    return {
        CASE_VIEW_PURPOSE: _("To answer your request for your records"),
        CONSENTS_VIEW_PURPOSE: _("To check who you have agreed we can share information with"),
        DIARY_PURPOSE: _("To arrange or hold your appointment"),
        CASE_STUDY_PURPOSE: _("To make a case study for training"),
    }


DEFAULT_PURPOSE = "To work on your case"


@dataclass(frozen=True)
class ReadRow:
    """One read as a sentence: "{who} {verb} {what}." and why."""

    at: dt.datetime
    who: str
    verb: str
    what: str
    why: str


# What each kind of read did, as the parent reads it (``portal.audit.reads.READ_VERBS``).
_VERBS = {
    "viewed": "looked at",
    "downloaded": "downloaded",
    "exported": "made an anonymised copy of",
}


def _int_ids(events: Sequence[AuditEvent], object_type: str) -> set[int]:
    return {
        int(e.object_id) for e in events if e.object_type == object_type and e.object_id.isdigit()
    }


def _what(events: Sequence[AuditEvent], user) -> dict[int, str]:
    """What each event read, in the parent's words (loaded in one query per kind)."""
    from appointments.formats import date_text

    Booking = apps.get_model("appointments", "Booking")
    owned = _owned(user)
    cases = {
        c.pk: c
        for c in owned[SUBJECT_CASE]
        .filter(pk__in=_int_ids(events, SUBJECT_CASE))
        .select_related("request", "child")
    }
    records = {r.pk: r for r in owned[RECORD].filter(pk__in=_int_ids(events, RECORD))}
    bundles = {
        b.pk: b
        for b in owned[BUNDLE]
        .filter(pk__in=_int_ids(events, BUNDLE))
        .select_related("subject_case__request")
    }
    bookings = {
        b.pk: b
        for b in Booking.objects.filter(pk__in=_int_ids(events, BOOKING), request__requester=user)
    }
    out = {}
    for event in events:
        pk = int(event.object_id) if event.object_id.isdigit() else None
        text = _("your information")
        if event.object_type == SUBJECT_CASE and pk in cases:
            case = cases[pk]
            if case.kind == SubjectKind.CHILD:
                text = _("your request %(reference)s, about %(name)s") % {
                    "reference": case.request.reference,
                    "name": case.child.full_name,
                }
            else:
                text = _("your request %(reference)s") % {"reference": case.request.reference}
        elif event.object_type == SERVICE_CASE:
            text = _("your case file")
        elif event.object_type == RECORD and pk in records:
            record = records[pk]
            text = _("a record in your case file (%(kind)s, %(day)s)") % {
                "kind": record.get_kind_display().lower(),
                "day": date_text(record.date),
            }
        elif event.object_type == RECORD:
            text = _("a record in your case file")
        elif event.object_type == BUNDLE and pk in bundles:
            text = _("the copy of your records for request %(reference)s") % {
                "reference": bundles[pk].subject_case.request.reference
            }
        elif event.object_type == BOOKING and pk in bookings:
            text = _("your appointment on %(day)s") % {"day": date_text(bookings[pk].start)}
        elif event.action.startswith("sar.consent"):
            text = _("who you have agreed we can share information with")
        elif event.object_type == "sar.child":
            text = _("your child's details")
        out[event.pk] = text
    return out


def describe_reads(events: Sequence[AuditEvent], *, user, show_names: bool) -> list[ReadRow]:
    """A page of ``staff_reads_of(user)`` in the parent's words."""
    events = list(events)
    who = staff_labels((e.actor for e in events), show_names=show_names)
    what = _what(events, user)
    purposes = _purposes()
    return [
        ReadRow(
            at=event.timestamp,
            who=who.get(event.actor_id, _(STAFF_LABEL)),
            verb=_(_VERBS.get(event.action.rpartition(".")[2], "looked at")),
            what=what[event.pk],
            why=purposes.get(event.reason, _(DEFAULT_PURPOSE)),
        )
        for event in events
    ]


# The administrators' report ------------------------------------------------------

WEEK_CHOICES = (4, 8, 13, 26, 52)
DEFAULT_WEEKS = 8


@dataclass(frozen=True)
class IsoWeek:
    year: int
    week: int

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass
class StaffWeeks:
    reader: object
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class WeeklyReads:
    weeks: list[IsoWeek]
    rows: list[StaffWeeks] = field(default_factory=list)

    @property
    def totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.rows) for i in range(len(self.weeks))]


def report_weeks(weeks: int, *, today: dt.date | None = None) -> list[IsoWeek]:
    """The last ``weeks`` ISO weeks up to the one holding ``today``, oldest first."""
    today = today or deadlines.today()
    monday = today - dt.timedelta(days=today.weekday())
    mondays = [monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    return [IsoWeek(*m.isocalendar()[:2]) for m in mondays]


def _since(weeks: list[IsoWeek]) -> dt.datetime:
    start = weeks[0].monday
    return dt.datetime(start.year, start.month, start.day, tzinfo=deadlines.LONDON)


def reads_per_week(*, weeks: int = DEFAULT_WEEKS, today: dt.date | None = None) -> WeeklyReads:
    """Staff reads per member of staff per ISO week (London time), busiest first."""
    columns = report_weeks(weeks, today=today)
    index = {(w.year, w.week): i for i, w in enumerate(columns)}
    counts = (
        staff_reads()
        .filter(timestamp__gte=_since(columns))
        .annotate(
            iso_year=ExtractIsoYear("timestamp", tzinfo=deadlines.LONDON),
            iso_week=ExtractWeek("timestamp", tzinfo=deadlines.LONDON),
        )
        .values("actor_id", "iso_year", "iso_week")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_reader: dict[int, list[int]] = defaultdict(lambda: [0] * len(columns))
    for row in counts:
        position = index.get((row["iso_year"], row["iso_week"]))
        if position is not None:
            by_reader[row["actor_id"]][position] += row["n"]
    readers = get_user_model().objects.in_bulk(list(by_reader))
    rows = [StaffWeeks(reader=readers[pk], counts=c) for pk, c in by_reader.items()]
    rows.sort(key=lambda r: (-r.total, r.reader.get_full_name().lower(), r.reader.pk))
    return WeeklyReads(weeks=columns, rows=rows)


@dataclass(frozen=True)
class UnassignedRead:
    reader: object
    what: str
    case_url: str
    assigned_to: object | None
    reads: int
    last: dt.datetime


def _assignees(object_type: str, ids: set[int]) -> dict[int, tuple[int | None, str, str]]:
    """For each object: (who it is assigned to, what it is, the staff URL of its case)."""
    from django.urls import reverse

    if object_type == SUBJECT_CASE:
        rows = SubjectCase.objects.filter(pk__in=ids).values_list(
            "pk", "assigned_to_id", "request__reference"
        )
        return {
            pk: (who, _("Request %(ref)s") % {"ref": ref}, reverse("sar_admin:case", args=[pk]))
            for pk, who, ref in rows
        }
    if object_type == BUNDLE:
        rows = Bundle.objects.filter(pk__in=ids).values_list(
            "pk",
            "subject_case__assigned_to_id",
            "subject_case_id",
            "subject_case__request__reference",
        )
        return {
            pk: (
                who,
                _("Bundle for request %(ref)s") % {"ref": ref},
                reverse("sar_admin:case", args=[case_pk]),
            )
            for pk, who, case_pk, ref in rows
        }
    if object_type == SERVICE_CASE:
        rows = ServiceCase.objects.filter(pk__in=ids).values_list("pk", "caseworker_id")
        return {pk: (who, _("Service case %(n)d") % {"n": pk}, "") for pk, who in rows}
    if object_type == RECORD:
        rows = Record.objects.filter(pk__in=ids).values_list("pk", "case__caseworker_id", "case_id")
        return {
            pk: (who, _("Record %(n)d in service case %(case)d") % {"n": pk, "case": case}, "")
            for pk, who, case in rows
        }
    return {}


CASE_TYPES = (SUBJECT_CASE, BUNDLE, SERVICE_CASE, RECORD)


def reads_of_unassigned_cases(
    *, weeks: int = DEFAULT_WEEKS, today: dt.date | None = None
) -> list[UnassignedRead]:
    """Reads of a case (or its records or bundle) by someone it is not
    assigned to, grouped by reader and case, latest first. A case no longer
    held (disposed of) cannot be checked and is left out."""
    since = _since(report_weeks(weeks, today=today))
    groups = list(
        staff_reads()
        .filter(timestamp__gte=since, object_type__in=CASE_TYPES)
        .values("actor_id", "object_type", "object_id")
        .annotate(n=Count("id"), last=Max("timestamp"))
        .order_by()
    )
    ids: dict[str, set[int]] = defaultdict(set)
    for group in groups:
        if group["object_id"].isdigit():
            ids[group["object_type"]].add(int(group["object_id"]))
    assigned = {t: _assignees(t, pks) for t, pks in ids.items()}
    flagged = []
    for group in groups:
        found = assigned.get(group["object_type"], {}).get(
            int(group["object_id"]) if group["object_id"].isdigit() else None
        )
        if found is None or found[0] == group["actor_id"]:
            continue
        flagged.append((group, found))
    people = get_user_model().objects.in_bulk(
        {g["actor_id"] for g, _f in flagged} | {f[0] for _g, f in flagged if f[0] is not None}
    )
    out = [
        UnassignedRead(
            reader=people[group["actor_id"]],
            what=what,
            case_url=url,
            assigned_to=people.get(assignee) if assignee is not None else None,
            reads=group["n"],
            last=group["last"],
        )
        for group, (assignee, what, url) in flagged
    ]
    out.sort(key=lambda r: r.last, reverse=True)
    return out
