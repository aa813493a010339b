"""The retention rule, as one pure function: when a service case is due for
disposal, from its children's dates and when it closed.

The confidentiality code: records are "disposed of when the young person
leaves Education". For each child on the case, their records have served
their purpose on the earlier of their 25th birthday (the end of the SEND
framework's 0-25 age range) and the day they left education; the case is due
once that day has come for *every* child on it (the youngest child reaching
25 bounds it), plus a grace period. Reading "the youngest child" literally
would dispose of a family's records while an older child was still in
education because a younger one had left early; waiting for every child
never does that, and gives the same date whenever the youngest is the last
to leave.

A case with no children (a young person's own, or a parent's about
themselves) is due a fixed period after it closed; while it is open it is
never due.

Nothing here reads the database, the clock or settings: ``sar.retention.queue``
passes them in.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

# The SEND framework covers children and young people up to 25.
RETENTION_AGE = 25

CHILDREN = "children"
CLOSED_NO_CHILDREN = "closed_no_children"


@dataclass(frozen=True)
class ChildDates:
    date_of_birth: datetime.date
    left_education_on: datetime.date | None = None


@dataclass(frozen=True)
class DisposalDate:
    """When a case is due for disposal, and which part of the rule says so
    (``CHILDREN`` or ``CLOSED_NO_CHILDREN``, the ``DisposalRule`` values)."""

    due_on: datetime.date
    rule: str


def birthday(date_of_birth: datetime.date, age: int) -> datetime.date:
    """The day someone turns ``age``: for a 29 February birthday, 1 March in a
    year without one (as ``sar.children.age_on`` counts ages)."""
    year = date_of_birth.year + age
    try:
        return date_of_birth.replace(year=year)
    except ValueError:
        return datetime.date(year, 3, 1)


def child_done_on(child: ChildDates) -> datetime.date:
    """The day a child's records have served their purpose: their 25th
    birthday, or the day they left education if that came first."""
    turns_25 = birthday(child.date_of_birth, RETENTION_AGE)
    if child.left_education_on is not None and child.left_education_on < turns_25:
        return child.left_education_on
    return turns_25


def disposal_due_on(
    *,
    children: Iterable[ChildDates],
    closed_on: datetime.date | None,
    grace_days: int,
    closed_no_children_days: int,
) -> DisposalDate | None:
    """When a service case is due for disposal, or None (an open case with no
    children). With children: the day the last of them reached 25 or left
    education, plus ``grace_days``. Without: ``closed_no_children_days``
    after it closed."""
    if grace_days < 0 or closed_no_children_days < 0:
        raise ValueError("Retention periods cannot be negative.")
    children = list(children)
    if children:
        last = max(child_done_on(child) for child in children)
        return DisposalDate(last + datetime.timedelta(days=grace_days), CHILDREN)
    if closed_on is None:
        return None
    return DisposalDate(
        closed_on + datetime.timedelta(days=closed_no_children_days), CLOSED_NO_CHILDREN
    )
