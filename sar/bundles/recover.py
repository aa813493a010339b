"""Recovering from a worker stopped part-way through a bundle (killed, out of
memory, its machine gone), run every minute by a django-q2 schedule.

How the queue itself copes depends on the broker. The ORM broker keeps a
task's row, locked, until the task's result is saved, and hands it out again
``Q_RETRY`` seconds after it was taken: the redelivery claims the bundle
again (``sar.bundles.run``). Redis does not: django-q2 takes a task off the
list with BLPOP, and nothing puts it back if the worker dies, so the bundle
would say "being prepared" for ever. Neither redelivers a task the queue
stopped for running past ``Q_TIMEOUT`` (its failure is acknowledged).

So ``bundles_resume_stalled`` queues the task again for every bundle that
has been waiting or rendering for longer than any task may run
(``bundle_stalled``): its worker is certainly gone. A copy that arrives
after another has started is skipped by the claim, so the broker's own
redelivery and this one never render a bundle twice at once, and after
``MAX_ATTEMPTS`` the bundle fails with a reason instead of starting again.

``bundle_files_remove_orphans`` deletes bundle files that no bundle names:
a worker killed between writing the encrypted file and saving the bundle
leaves one behind (never served, since only a ready bundle's own file is).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from portal import schedules
from portal.outbox.models import PendingTask
from portal.outbox.relay import enqueue
from sar.bundles.prepare import TASK
from sar.models import Bundle, BundleStatus

logger = logging.getLogger(__name__)

SCHEDULE_NAME = "sar: resume interrupted bundles"
SCHEDULE_FUNC = "sar.tasks.recover_bundles_task"
EVERY_MINUTES = 1
# Where bundle files are stored (``sar.models.bundles._bundle_path``).
FILES_FOLDER = "bundles"


def _task_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.Q_CLUSTER["timeout"])


def bundles_resume_stalled(*, now: dt.datetime | None = None) -> int:
    """Queue the task again for each bundle waiting or being prepared for
    longer than the queue lets a task run; returns how many were queued.

    Once per attempt within that time (a note in the shared cache), so a
    queue busy for minutes does not get a copy every minute. A bundle whose
    task is still waiting in the outbox is left to the outbox's relay.
    """
    now = now or timezone.now()
    cutoff = now - _task_timeout()
    stalled = Bundle.objects.filter(
        Q(status=BundleStatus.RENDERING, started_at__lt=cutoff)
        | Q(status=BundleStatus.QUEUED, started_at__isnull=True, requested_at__lt=cutoff)
    ).values_list("pk", "generation", "attempts", "task_id")
    queued = 0
    for pk, generation, attempts, task_id in stalled:
        if (
            task_id.startswith("outbox-")
            and PendingTask.objects.filter(pk=task_id.removeprefix("outbox-")).exists()
        ):
            continue
        key = f"sar:bundle:{pk}:{generation}:{attempts}:resumed"
        if not cache.add(key, True, timeout=int(_task_timeout().total_seconds())):
            continue
        pending = enqueue(TASK, pk, generation, group="bundles")
        # As ``bundle_prepare`` does: the outbox row names the task until the
        # broker has it, so while the broker is down the relay sends it.
        Bundle.objects.filter(pk=pk, generation=generation).update(task_id=f"outbox-{pending.pk}")
        # Identifiers only: the bundle's records are not the log's business.
        logger.warning(
            "Bundle %s (preparation %s, %s attempts) stopped part-way; its task is queued again.",
            pk,
            generation,
            attempts,
        )
        queued += 1
    return queued


def bundle_files_remove_orphans(*, now: dt.datetime | None = None) -> int:
    """Delete the stored bundle files that no bundle names and that are older
    than any task may run (so never a file a running task has just written
    and is about to save); returns how many."""
    now = now or timezone.now()
    cutoff = now - _task_timeout()
    storage = Bundle._meta.get_field("file").storage
    try:
        names = storage.listdir(FILES_FOLDER)[1]
    except FileNotFoundError:
        return 0
    named = set(Bundle.objects.exclude(file="").values_list("file", flat=True))
    removed = 0
    for name in names:
        path = f"{FILES_FOLDER}/{name}"
        if path in named:
            continue
        try:
            if storage.get_modified_time(path) >= cutoff:
                continue
        except FileNotFoundError:
            continue
        storage.delete(path)
        removed += 1
    if removed:
        logger.warning("Removed %s bundle files that no bundle names.", removed)
    return removed


def ensure_schedule():
    """The schedule, created if missing (``portal.schedules``)."""
    from django_q.models import Schedule

    return schedules.ensure_schedule(
        name=SCHEDULE_NAME,
        func=SCHEDULE_FUNC,
        schedule_type=Schedule.MINUTES,
        minutes=EVERY_MINUTES,
    )
