"""Putting tasks on the queue without losing them when the broker is down.

``enqueue`` is how the portal queues a task: it writes a ``PendingTask`` in
the current transaction and, once that commits, hands it to the broker and
deletes the row. If the broker cannot be reached (Redis down, say), the
change the person made is saved all the same, the row stays, a warning is
logged and a member of staff is told (``DEFERRED_MESSAGE``); the relay
schedule (``relay_pending``, every minute through django-q2) queues it once
the broker is back. A task may therefore run twice in rare cases (queued,
then the row's deletion lost); every task queued this way is idempotent
(notices carry a key, see ``portal.notifications``).
"""

import contextvars
import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from portal.outbox.models import PendingTask

logger = logging.getLogger(__name__)

SCHEDULE_NAME = "portal: relay pending tasks"
SCHEDULE_FUNC = "portal.outbox.tasks.relay_pending_task"
EVERY_MINUTES = 1
# The relay leaves a row this young alone: its own request may be about to
# queue it after commit.
GRACE = datetime.timedelta(seconds=30)
BATCH = 200

DEFERRED_MESSAGE = _(
    "The change is saved, but the task queue cannot be reached at the moment, "
    "so the email or job that goes with it is waiting. It will be sent "
    "automatically when the queue is back; you do not need to do it again."
)

# How many tasks the current request could not queue (None outside a request
# watched by ``DeferredTaskMessageMiddleware``).
deferred_in_request: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "deferred_in_request", default=None
)


def enqueue(func: str, *args, group: str = "") -> PendingTask:
    """Queue ``func(*args)`` (a dotted path; JSON-serialisable arguments)
    once the current transaction commits; nothing if it rolls back."""
    pending = PendingTask.objects.create(func=func, args=list(args), group=group)
    transaction.on_commit(lambda: _queue_after_commit(pending.pk))
    return pending


def _push(pending: PendingTask) -> None:
    async_task(pending.func, *pending.args, group=pending.group or None)


def _queue_after_commit(pk: int) -> None:
    pending = PendingTask.objects.filter(pk=pk).first()
    if pending is None:  # the relay got there first
        return
    try:
        _push(pending)
    except Exception as error:  # noqa: BLE001 - whatever the broker raised, the row keeps it
        _note_failure(pending, error)
        deferred = deferred_in_request.get()
        if deferred is not None:
            deferred.append(pending.pk)
        return
    PendingTask.objects.filter(pk=pk).delete()


def _note_failure(pending: PendingTask, error: Exception) -> None:
    kind = type(error).__name__
    logger.warning(
        "Task %s (pending #%s) could not be queued (%s); the relay will queue it.",
        pending.func,
        pending.pk,
        kind,
    )
    PendingTask.objects.filter(pk=pending.pk).update(
        attempts=pending.attempts + 1, last_attempt_at=timezone.now(), last_error=kind[:100]
    )


def relay_pending(*, now: datetime.datetime | None = None, grace=GRACE) -> int:
    """Queue the tasks still waiting (older than ``grace``), oldest first;
    returns how many were queued. Stops at the first failure: the broker is
    still down, the next run tries again. Rows are locked (and others'
    locked rows skipped), so two relays never queue the same task."""
    now = now or timezone.now()
    queued = 0
    with transaction.atomic():
        rows = (
            PendingTask.objects.select_for_update(skip_locked=True)
            .filter(created_at__lte=now - grace)
            .order_by("id")[:BATCH]
        )
        for pending in rows:
            try:
                _push(pending)
            except Exception as error:  # noqa: BLE001 - the row keeps it; retried next run
                _note_failure(pending, error)
                break
            pending.delete()
            queued += 1
    if queued:
        logger.info("Relayed %s pending tasks to the queue.", queued)
    return queued


def waiting(*, now: datetime.datetime | None = None, grace=GRACE) -> int:
    """How many tasks have been waiting longer than ``grace`` for the broker."""
    now = now or timezone.now()
    return PendingTask.objects.filter(created_at__lte=now - grace).count()


def ensure_schedule():
    """The relay's schedule, created if missing (idempotent)."""
    from django_q.models import Schedule

    schedule, _ = Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": SCHEDULE_FUNC,
            "schedule_type": Schedule.MINUTES,
            "minutes": EVERY_MINUTES,
            "repeats": -1,
        },
    )
    return schedule


class DeferredTaskMessageMiddleware:
    """Tells a member of staff when a change they just made saved but its
    task could not be queued (``DEFERRED_MESSAGE``). After the messages
    middleware in ``MIDDLEWARE``, so the message is stored for the next page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = deferred_in_request.set([])
        try:
            response = self.get_response(request)
            deferred = deferred_in_request.get()
        finally:
            deferred_in_request.reset(token)
        user = getattr(request, "user", None)
        if deferred and user is not None and user.is_authenticated and user.is_staff:
            from django.contrib import messages

            messages.warning(request, DEFERRED_MESSAGE)
        return response
