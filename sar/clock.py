"""The statutory clock of one request: starting, stopping, pausing, resuming
and extending it, and keeping ``due_on`` true to the clock fields.

These change an ``AccessRequest`` in memory and leave saving to the caller
(a workflow function, which holds the row lock and writes the timeline and
the audit event). The date arithmetic itself is ``sar.deadlines``.
"""

import datetime

from sar import deadlines
from sar.models import AccessRequest


def refresh_due_on(request: AccessRequest) -> None:
    """Recompute ``due_on`` from the clock fields: the only writer of it.

    While the clock is paused, ``due_on`` leaves out the pause in progress:
    the dashboard lists paused requests separately, and the date moves on
    when the clock restarts."""
    if request.clock_started_on is None:
        request.due_on = None
        return
    request.due_on = deadlines.due_date(
        clock_start=request.clock_started_on,
        paused_days=request.paused_days,
        extension_months=request.extension_months,
    )


def clock_start(request: AccessRequest, *, on: datetime.date) -> None:
    """Start the clock on ``on`` (receipt, or receipt of identity evidence)."""
    request.clock_started_on = on
    request.paused_since = None
    request.paused_days = 0
    refresh_due_on(request)


def clock_stop(request: AccessRequest) -> None:
    """Stop the clock until evidence of identity or parental responsibility
    arrives: the time limit then runs from that day, not from receipt."""
    request.clock_started_on = None
    request.paused_since = None
    request.paused_days = 0
    refresh_due_on(request)


def clock_pause(request: AccessRequest, *, on: datetime.date) -> None:
    """Stop the clock while a clarification is outstanding. Does nothing if it
    is already paused or has not started."""
    if request.clock_started_on is None or request.paused_since is not None:
        return
    request.paused_since = max(on, request.clock_started_on)


def clock_resume(request: AccessRequest, *, on: datetime.date) -> None:
    """Restart the clock, keeping the time that was left when it stopped: the
    calendar days it was paused are added to the due date."""
    if request.paused_since is None:
        return
    on = max(on, request.paused_since)
    request.paused_days += deadlines.days_paused(paused_since=request.paused_since, resumed_on=on)
    request.paused_since = None
    refresh_due_on(request)


def projected_due_on(request: AccessRequest, *, today: datetime.date) -> datetime.date | None:
    """The due date if the clock restarted ``today`` (what a paused request's
    due date would be now); ``due_on`` when it is running."""
    if request.clock_started_on is None:
        return None
    if request.paused_since is None:
        return request.due_on
    return deadlines.due_date(
        clock_start=request.clock_started_on,
        paused_days=request.paused_days
        + deadlines.days_paused(paused_since=request.paused_since, resumed_on=today),
        extension_months=request.extension_months,
    )


def original_due_on(request: AccessRequest, *, today: datetime.date) -> datetime.date | None:
    """The due date without any extension, counting a pause in progress up to
    ``today``: what an extension must come before."""
    if request.clock_started_on is None:
        return None
    paused = request.paused_days
    if request.paused_since is not None:
        paused += deadlines.days_paused(paused_since=request.paused_since, resumed_on=today)
    return deadlines.due_date(clock_start=request.clock_started_on, paused_days=paused)


def clock_extend(request: AccessRequest, *, months: int, reason: str, on: datetime.date) -> None:
    """Extend the time to respond by ``months`` (raises ``ExtensionNotAllowed``
    when the rules in ``sar.deadlines.check_extension`` say no), recording the
    reason and that the parent is told today."""
    original = original_due_on(request, today=on)
    if original is None:
        raise ValueError("The clock has not started, so there is nothing to extend.")
    deadlines.check_extension(
        today=on, original_due=original, months=months, already_extended=request.extension_months
    )
    request.extension_months += months
    request.extension_reason = (
        f"{request.extension_reason}\n\n{reason}" if request.extension_reason else reason
    )
    request.extension_notified_on = on
    refresh_due_on(request)
