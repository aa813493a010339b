"""Asking for a bundle: the one ``Bundle`` row of a subject case is created or
reset for a new generation, and the task that builds it is queued once the
transaction commits. Preparing past review voids the approval first."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.audit.events import record as audit
from portal.outbox.relay import enqueue
from sar import roles
from sar.bundles.events import audit_data
from sar.bundles.messages import (
    NO_RECORDS,
    NOT_CASEWORKER,
    NOT_PREPARABLE,
    NOT_RETRYABLE,
    REOPEN_REASON,
    UNDECIDED_MANY,
    UNDECIDED_ONE,
)
from sar.exceptions import InvalidTransition, NotPermitted, RuleViolation
from sar.models import Bundle, BundleStatus, CaseStatus, SubjectCase
from sar.records import records_in_scope
from sar.redactions import StaleRedaction, decisions_for, stale_spans
from sar.redactions import undecided_count as count_undecided
from sar.workflow import case_reopen
from sar.workflow import messages as workflow_messages
from sar.workflow.engine import lock_case, log_step

logger = logging.getLogger(__name__)

TASK = "sar.tasks.prepare_bundle_task"
# Where a bundle can be prepared: in review, or later until the records are
# given (preparing again then takes the case back to review).
PREPARABLE = (CaseStatus.IN_REVIEW, CaseStatus.AWAITING_APPROVAL, CaseStatus.APPROVED)


def _check_caseworker(actor, case: SubjectCase) -> None:
    if not roles.has_role(actor, roles.CASEWORKER):
        raise NotPermitted(NOT_CASEWORKER)
    if roles.is_requester(actor, case.request):
        raise NotPermitted(workflow_messages.OWN_REQUEST)


def undecided_message(count: int) -> str:
    return (UNDECIDED_ONE if count == 1 else UNDECIDED_MANY).format(count=count)


def bundle_prepare(*, subject_case: SubjectCase, actor, reason: str = "") -> Bundle:
    """Ask for the case's bundle to be (re)built by the task queue.

    Only a caseworker; only while the case is in review, awaiting approval or
    approved, with records chosen, every suggested redaction decided and no
    decision left behind by a record whose text changed since. Past
    review, the case goes back to review first: the approval is void
    (``case_reopen``). The one bundle row is reset for a new generation; the
    previous file is deleted once this commits (it is void: nobody may
    download it), and the task is queued then too.
    """
    with transaction.atomic():
        case = lock_case(subject_case)
        _check_caseworker(actor, case)
        if case.status not in PREPARABLE:
            raise InvalidTransition(NOT_PREPARABLE.format(status=CaseStatus(case.status).label))
        records = list(records_in_scope(case))
        if not records:
            raise RuleViolation(NO_RECORDS)
        # Remembers each record found complete: the job checks against it.
        undecided = count_undecided(case, records, remember=True)
        if undecided:
            raise RuleViolation(undecided_message(undecided))
        decisions = decisions_for(case)
        for record in records:
            if stale_spans(record, decisions.get(record.pk)):
                raise RuleViolation(str(StaleRedaction(record)))
        if case.status != CaseStatus.IN_REVIEW:
            case = case_reopen(case=case, actor=actor, reason=reason.strip() or REOPEN_REASON)
        bundle, old_file = _reset(case, actor)
        now = timezone.now()
        log_step(
            kind="bundle_prepare",
            request=case.request,
            case=case,
            actor=actor,
            message=f"Asked for the bundle to be prepared (preparation {bundle.generation}).",
            now=now,
        )
        audit(
            action="sar.bundle.prepare",
            actor=actor,
            obj=bundle,
            reason=reason.strip(),
            data=audit_data(bundle, case),
        )
        _enqueue_on_commit(bundle, old_file)
    return bundle


def bundle_retry(*, bundle: Bundle, actor) -> Bundle:
    """Prepare again a bundle that failed, or that has stopped part-way
    (``bundle_stalled``), with the same rules as ``bundle_prepare``."""
    if not (bundle.status == BundleStatus.FAILED or bundle_stalled(bundle)):
        raise RuleViolation(NOT_RETRYABLE)
    return bundle_prepare(subject_case=bundle.subject_case, actor=actor)


def bundle_stalled(bundle: Bundle, *, now: dt.datetime | None = None) -> bool:
    """Whether a bundle waiting or being prepared has taken longer than the
    queue lets any task run (its worker was stopped): it can be tried again."""
    if bundle.status not in (BundleStatus.QUEUED, BundleStatus.RENDERING):
        return False
    now = now or timezone.now()
    since = bundle.started_at or bundle.requested_at
    return since < now - dt.timedelta(seconds=settings.Q_CLUSTER["timeout"])


def _reset(case: SubjectCase, actor) -> tuple[Bundle, str]:
    """The case's bundle, locked, reset for a new preparation; and the name of
    the file it had, if any."""
    bundle = Bundle.objects.select_for_update().filter(subject_case=case).first()
    old_file = ""
    if bundle is None:
        bundle = Bundle(subject_case=case, generation=1)
    else:
        old_file = bundle.file.name or ""
        bundle.generation += 1
    bundle.status = BundleStatus.QUEUED
    bundle.prepared_by = actor
    bundle.requested_at = timezone.now()
    bundle.task_id = ""
    bundle.attempts = 0
    bundle.progress_done = bundle.progress_total = 0
    bundle.error = ""
    bundle.started_at = bundle.finished_at = None
    bundle.file = ""
    bundle.sha256 = ""
    bundle.size_bytes = bundle.page_count = bundle.record_count = bundle.withheld_count = 0
    bundle.available_until = None
    bundle.revoked_at = None
    bundle.revoked_by = None
    bundle.revoke_reason = ""
    bundle.save()
    return bundle, old_file


def task_name(bundle: Bundle) -> str:
    return f"bundle-{bundle.pk}-generation-{bundle.generation}"


def _enqueue_on_commit(bundle: Bundle, old_file: str) -> None:
    """Queue the task through the outbox (``portal.outbox``): written with the
    bundle, sent to the broker after commit, and relayed later if the broker
    cannot be reached, so a Redis outage leaves the bundle waiting, not lost.
    The old file goes once the new preparation is committed."""
    storage = bundle.file.storage
    pending = enqueue(TASK, bundle.pk, bundle.generation, group="bundles")
    # The outbox row names the task until the queue runs it.
    bundle.task_id = f"outbox-{pending.pk}"
    Bundle.objects.filter(pk=bundle.pk, generation=bundle.generation).update(task_id=bundle.task_id)
    if old_file:
        transaction.on_commit(lambda: storage.delete(old_file))
