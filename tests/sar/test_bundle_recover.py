"""Recovering from a worker stopped part-way (``sar.bundles.recover``): the
schedule queues again a bundle that has been rendering, or waiting, longer
than any task may run (Redis never hands a lost task out again), once per
attempt; bundle files no bundle names are deleted; and a render removes the
working directories that killed renders left behind. The real kill, through a
real cluster, is ``tests/faults/test_worker_killed.py``."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from django_q.models import Schedule

from portal.outbox.models import PendingTask
from sar import bundles
from sar.bundles import messages as bundle_messages
from sar.bundles import recover
from sar.models import Bundle, BundleStatus, TimelineEntry
from sar.pdf.render import WORKDIR_PREFIX, remove_abandoned_workdirs
from tests.broker import broker_unreachable
from tests.sar.bundle_support import (  # noqa: F401 - the autouse fixture
    _render_in_process,
    in_review,
    make_record,
    pdf_of,
    prepare,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The "already queued again" notes live in the cache, which outlives a test.
    cache.clear()


@pytest.fixture
def case(submit, caseworker, parent):
    return in_review(submit().cases.get(), caseworker, [make_record(parent, caseworker)])


@pytest.fixture
def queued(case, caseworker, django_capture_on_commit_callbacks):
    """A bundle asked for, its task handed to the broker but not run (as if
    a worker took it)."""
    with django_capture_on_commit_callbacks(execute=False):
        bundle = bundles.bundle_prepare(subject_case=case, actor=caseworker)
    PendingTask.objects.all().delete()
    return bundle


def seconds_ago(settings, extra: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.Q_CLUSTER["timeout"] + extra)


def interrupt(bundle, *, started_at, attempts=1):
    """The bundle as a killed worker leaves it: rendering, part-way."""
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.RENDERING,
        attempts=attempts,
        started_at=started_at,
        progress_done=1,
        progress_total=1,
    )


def test_a_bundle_rendering_longer_than_any_task_may_run_is_queued_again_and_finished(
    settings, queued, django_capture_on_commit_callbacks, mailoutbox
):
    interrupt(queued, started_at=seconds_ago(settings, 1))

    with django_capture_on_commit_callbacks(execute=True):
        assert bundles.bundles_resume_stalled() == 1

    bundle = Bundle.objects.get(pk=queued.pk)
    assert (bundle.status, bundle.attempts) == (BundleStatus.READY, 2)
    assert pdf_of(bundle).startswith(b"%PDF")
    assert TimelineEntry.objects.get(kind="bundle_restarted").message == (
        bundle_messages.RESTARTED.format(attempt=2, most=bundles.MAX_ATTEMPTS)
    )
    assert len([m for m in mailoutbox if "ready to check" in m.subject]) == 1


def test_a_bundle_still_within_the_task_timeout_is_left_alone(settings, queued):
    interrupt(queued, started_at=seconds_ago(settings, -60))

    assert bundles.bundles_resume_stalled() == 0
    assert not PendingTask.objects.filter(func=bundles.TASK).exists()


def test_a_stalled_bundle_is_queued_again_once_per_attempt(settings, queued):
    interrupt(queued, started_at=seconds_ago(settings, 1))

    assert bundles.bundles_resume_stalled() == 1
    [pending] = PendingTask.objects.all()  # its commit never comes in this test
    assert (pending.func, pending.args) == (bundles.TASK, [queued.pk, queued.generation])
    assert Bundle.objects.get(pk=queued.pk).task_id == f"outbox-{pending.pk}"
    # The broker has it, but a busy queue has not run it a minute later: no
    # second copy...
    pending.delete()
    assert bundles.bundles_resume_stalled() == 0
    # ...but a later attempt that stopped too is queued again.
    interrupt(queued, started_at=seconds_ago(settings, 1), attempts=2)
    assert bundles.bundles_resume_stalled() == 1


def test_a_bundle_whose_task_waits_in_the_outbox_is_left_to_the_relay(
    settings, case, caseworker, django_capture_on_commit_callbacks
):
    with broker_unreachable():
        bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)
    Bundle.objects.filter(pk=bundle.pk).update(requested_at=seconds_ago(settings, 1))

    assert bundles.bundles_resume_stalled() == 0
    assert PendingTask.objects.filter(func=bundles.TASK).count() == 1


def test_a_bundle_that_keeps_stopping_fails_with_a_reason_instead_of_starting_again(
    settings, queued, django_capture_on_commit_callbacks
):
    interrupt(queued, started_at=seconds_ago(settings, 1), attempts=bundles.MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        bundles.bundles_resume_stalled()

    bundle = Bundle.objects.get(pk=queued.pk)
    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == bundle_messages.FAILED_ATTEMPTS.format(attempts=bundles.MAX_ATTEMPTS)


def test_ready_and_failed_bundles_are_never_queued_again(
    settings, case, caseworker, django_capture_on_commit_callbacks
):
    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)
    Bundle.objects.filter(pk=bundle.pk).update(started_at=seconds_ago(settings, 1))
    assert bundles.bundles_resume_stalled() == 0
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.FAILED, file="", sha256="", error="It failed."
    )
    assert bundles.bundles_resume_stalled() == 0


def test_bundle_files_no_bundle_names_are_deleted_once_old(
    settings, case, caseworker, django_capture_on_commit_callbacks
):
    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)
    storage = bundle.file.storage
    # What a worker killed between writing the file and saving the bundle leaves.
    orphan = storage.save("bundles/orphan.pdf.enc", ContentFile(b"token"))
    old = seconds_ago(settings, 60).timestamp()
    for name in (orphan, bundle.file.name):
        os.utime(storage.path(name), (old, old))
    # A file a running task has just written, about to save the bundle.
    fresh = storage.save("bundles/fresh.pdf.enc", ContentFile(b"token"))

    assert bundles.bundle_files_remove_orphans() == 1

    assert sorted(storage.listdir("bundles")[1]) == sorted(
        name.removeprefix("bundles/") for name in (bundle.file.name, fresh)
    )
    assert pdf_of(bundle).startswith(b"%PDF")


def test_no_bundle_folder_yet_is_nothing_to_remove():
    assert bundles.bundle_files_remove_orphans() == 0


def test_the_recovery_runs_every_minute_on_a_schedule():
    schedule = Schedule.objects.get(name=recover.SCHEDULE_NAME)
    assert schedule.func == recover.SCHEDULE_FUNC == "sar.tasks.recover_bundles_task"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)
    assert recover.ensure_schedule().pk == schedule.pk


def test_the_schedules_task_resumes_and_tidies():
    from sar.tasks import recover_bundles_task

    assert recover_bundles_task() == {"resumed": 0, "files_removed": 0}


# Working directories of killed renders ----------------------------------------------


def test_a_render_removes_the_working_directories_of_processes_that_are_gone(tmp_path):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(gone.stdout)
    abandoned = tmp_path / f"{WORKDIR_PREFIX}{dead_pid}-abc123"
    abandoned.mkdir()
    (abandoned / "chunk-00000.pdf").write_bytes(b"%PDF- pages of someone's records")
    running = tmp_path / f"{WORKDIR_PREFIX}{os.getpid()}-def456"
    running.mkdir()
    unrelated = tmp_path / "sar-bundle-notes"
    unrelated.mkdir()

    assert remove_abandoned_workdirs(str(tmp_path)) == 1

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, unrelated.name])
