"""The task's work (``bundle_run``, called by ``sar.tasks``): claim one
generation of a bundle, build its PDF, store it encrypted, mark it ready or
failed. Idempotent, so a stale or duplicate delivery does nothing."""

from __future__ import annotations

import enum
import logging
import time
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from portal.audit.events import record as audit
from portal.notifications.email import enqueue_notice
from sar.bundles.build import BuiltBundle, BundleFailure, build_bundle_pdf
from sar.bundles.events import audit_data
from sar.bundles.messages import FAILED_ATTEMPTS, FAILED_UNEXPECTED, RESTARTED, RESTARTED_REASON
from sar.bundles.prepare import bundle_stalled
from sar.encryption import write_encrypted_file
from sar.models import Bundle, BundleStatus
from sar.pdf.render import private_workdir
from sar.workflow.engine import log_step

logger = logging.getLogger(__name__)

# A task delivered this many times without finishing has stopped part-way
# each time (a worker killed, out of memory): give up and say so.
MAX_ATTEMPTS = 3
# Progress is saved at most this often (and always at the start and the end).
PROGRESS_SECONDS = 1.0


class Outcome(enum.StrEnum):
    """What one delivery of the task did (the task's result in django-q2)."""

    READY = "ready"
    FAILED = "failed"
    SKIPPED = "skipped"  # stale, duplicate, or superseded while it ran


def bundle_run(*, bundle_id: int, generation: int) -> Outcome:
    """Build, encrypt and store generation ``generation`` of the bundle.

    Idempotent: a generation that is no longer the bundle's, or that is
    already ready or failed, does nothing, so a duplicate delivery never makes
    a second file or a second email. Failures become the bundle's staff-facing
    reason (status failed) and are not raised: rendering the same records
    again would fail the same way, so the queue must not retry them.
    """
    bundle = _claim(bundle_id, generation)
    if bundle is None:
        return Outcome.SKIPPED
    # The plain PDF lives only in this private folder, removed however the job
    # ends (or, if its process is killed, by the next render on this machine).
    with private_workdir() as folder:
        pdf_path = Path(folder) / "bundle.pdf"
        try:
            built = build_bundle_pdf(
                bundle, pdf_path, on_progress=ProgressWriter(bundle_id, generation)
            )
        except BundleFailure as failure:
            fail(bundle_id, generation, failure.reason)
            return Outcome.FAILED
        except Exception as error:
            # The type only: an exception's message may quote a record.
            logger.error(
                "Bundle %s generation %s failed: %s", bundle_id, generation, type(error).__name__
            )
            fail(bundle_id, generation, FAILED_UNEXPECTED)
            return Outcome.FAILED
        return _store(bundle_id, generation, built, pdf_path)


def _claim(bundle_id: int, generation: int) -> Bundle | None:
    with transaction.atomic():
        bundle = (
            Bundle.objects.select_for_update(of=("self",))
            .select_related("subject_case__request")
            .filter(pk=bundle_id)
            .first()
        )
        if bundle is None or bundle.generation != generation:
            return None
        if bundle.status in (BundleStatus.READY, BundleStatus.FAILED):
            return None
        now = timezone.now()
        if bundle.status == BundleStatus.RENDERING and not bundle_stalled(bundle, now=now):
            # Another delivery is at work on it (a duplicate from the outbox,
            # or the resume schedule racing the broker's own redelivery): the
            # queue stops any task after its timeout, so until then it may be
            # alive, and two renders of one bundle would only waste a worker.
            return None
        if bundle.attempts >= MAX_ATTEMPTS:
            _mark_failed(bundle, FAILED_ATTEMPTS.format(attempts=bundle.attempts))
            return None
        if bundle.attempts > 0:
            _log_restart(bundle, now=now)
        bundle.status = BundleStatus.RENDERING
        bundle.started_at = now
        bundle.attempts += 1
        bundle.progress_done = bundle.progress_total = 0
        bundle.save(
            update_fields=["status", "started_at", "attempts", "progress_done", "progress_total"]
        )
        audit(
            action="sar.bundle.started",
            obj=bundle,
            data=audit_data(bundle, bundle.subject_case, attempt=bundle.attempts),
        )
    return bundle


def _log_restart(bundle: Bundle, *, now) -> None:
    """An earlier attempt of this preparation stopped part-way (its worker was
    killed or timed out, and never said how it ended): the case says so."""
    case = bundle.subject_case
    attempt = bundle.attempts + 1
    log_step(
        kind="bundle_restarted",
        request=case.request,
        case=case,
        actor=None,
        message=RESTARTED.format(attempt=attempt, most=MAX_ATTEMPTS),
        now=now,
    )
    audit(
        action="sar.bundle.restarted",
        obj=bundle,
        reason=RESTARTED_REASON,
        data=audit_data(bundle, case, attempt=attempt, progress_done=bundle.progress_done),
    )


class ProgressWriter:
    """``on_progress(done, total)`` for the renderer: saves "N of M records"
    on the bundle, at most every ``PROGRESS_SECONDS`` (and at the start and
    the end), and only while this generation is still the one rendering."""

    def __init__(self, bundle_id: int, generation: int, *, seconds: float = PROGRESS_SECONDS):
        self.bundle_id = bundle_id
        self.generation = generation
        self.seconds = seconds
        self.last: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        ends = done in (0, total)
        if not ends and self.last is not None and now - self.last < self.seconds:
            return
        self.last = now
        Bundle.objects.filter(
            pk=self.bundle_id, generation=self.generation, status=BundleStatus.RENDERING
        ).update(progress_done=min(done, total), progress_total=total)


def fail(bundle_id: int, generation: int, reason: str) -> None:
    with transaction.atomic():
        bundle = (
            Bundle.objects.select_for_update(of=("self",))
            .select_related("subject_case__request")
            .filter(pk=bundle_id, generation=generation)
            .exclude(status__in=(BundleStatus.READY, BundleStatus.FAILED))
            .first()
        )
        if bundle is not None:
            _mark_failed(bundle, reason)


def _mark_failed(bundle: Bundle, reason: str) -> None:
    """Inside a transaction holding the bundle's lock."""
    now = timezone.now()
    bundle.status = BundleStatus.FAILED
    bundle.error = reason
    bundle.finished_at = now
    bundle.save(update_fields=["status", "error", "finished_at"])
    case = bundle.subject_case
    log_step(
        kind="bundle_failed",
        request=case.request,
        case=case,
        actor=None,
        message=f"The bundle could not be prepared: {reason}",
        now=now,
    )
    audit(action="sar.bundle.failed", obj=bundle, reason=reason, data=audit_data(bundle, case))
    enqueue_notice(
        user=bundle.prepared_by,
        template="bundle_failed",
        key=f"sar:bundle:{bundle.pk}:{bundle.generation}:failed",
    )


def _store(bundle_id: int, generation: int, built: BuiltBundle, pdf_path: Path) -> Outcome:
    """Write the encrypted file first, then mark the bundle ready with it in
    one transaction: a ready bundle always has its whole file. If the bundle
    moved on meanwhile (prepared again, or another delivery finished first),
    the new file is deleted and nothing else changes. The PDF is encrypted
    and hashed from disk a segment at a time, never held whole."""
    holder = Bundle(pk=bundle_id)
    with pdf_path.open("rb") as pdf:
        stored = write_encrypted_file(holder.file, pdf, name="bundle.pdf", save=False)
    sha256 = stored.sha256
    name, storage = holder.file.name, holder.file.storage
    try:
        with transaction.atomic():
            bundle = (
                Bundle.objects.select_for_update(of=("self",))
                .select_related("subject_case__request")
                .filter(pk=bundle_id)
                .first()
            )
            if (
                bundle is None
                or bundle.generation != generation
                or bundle.status != BundleStatus.RENDERING
            ):
                storage.delete(name)
                return Outcome.SKIPPED
            now = timezone.now()
            bundle.file.name = name
            bundle.sha256 = sha256
            bundle.size_bytes = stored.size
            bundle.page_count = built.pages
            bundle.record_count = built.records
            bundle.withheld_count = built.withheld
            bundle.progress_done = bundle.progress_total = built.records
            bundle.status = BundleStatus.READY
            bundle.error = ""
            bundle.finished_at = now
            bundle.save()
            case = bundle.subject_case
            log_step(
                kind="bundle_ready",
                request=case.request,
                case=case,
                actor=None,
                message=_ready_message(built),
                now=now,
            )
            audit(
                action="sar.bundle.ready",
                obj=bundle,
                data=audit_data(bundle, case, pages=built.pages, sha256=sha256),
            )
            enqueue_notice(
                user=bundle.prepared_by,
                template="bundle_ready",
                key=f"sar:bundle:{bundle.pk}:{generation}:ready",
            )
    except BaseException:
        storage.delete(name)
        raise
    return Outcome.READY


def _ready_message(built: BuiltBundle) -> str:
    pages = ngettext("%(n)d page", "%(n)d pages", built.pages) % {"n": built.pages}
    records = ngettext("%(n)d record", "%(n)d records", built.records) % {"n": built.records}
    message = f"The bundle is ready: {pages}, {records}"
    if built.withheld:
        message += f", {built.withheld} withheld in full"
    return message + "."
