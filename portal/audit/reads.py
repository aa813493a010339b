"""Which audit events are reads of personal data: the one definition.

An action is a read when its last part is one of ``READ_VERBS``:
"sar.case.viewed", "appointments.booking.viewed", "sar.bundle.downloaded",
"sar.case_study.exported". Every screen that shows a person's records records
such an event, with the purpose as its ``reason``; the parent's "Your data"
page, the administrators' staff reads report and the test that every staff
screen is classified (tests/portal/test_reads_report.py) all read this module,
so a new read only has to be named by the rule to be counted everywhere.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from portal.audit.models import AuditEvent

# "viewed": a screen showed it; "downloaded": a file of it left the service;
# "exported": an anonymised or derived copy was made from it.
READ_VERBS = ("viewed", "downloaded", "exported")


def is_read_action(action: str) -> bool:
    """Whether ``action`` (e.g. "sar.case.viewed") names a read."""
    prefix, dot, verb = action.rpartition(".")
    return bool(prefix and dot) and verb in READ_VERBS


def read_actions_q() -> Q:
    """The same rule as a filter over ``AuditEvent.action``."""
    return reduce(or_, (Q(action__endswith=f".{verb}") for verb in READ_VERBS))


def staff_reads() -> QuerySet[AuditEvent]:
    """Read events whose actor is a member of staff (``is_staff`` or a
    superuser); a parent reading their own bundle is not a staff read."""
    return AuditEvent.objects.filter(read_actions_q()).filter(
        Q(actor__is_staff=True) | Q(actor__is_superuser=True)
    )
