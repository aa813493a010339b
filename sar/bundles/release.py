"""Giving the records: the parent's download of an approved bundle (scoped to
them, audited, the first one recording the release), staff opening the PDF
to check it, and staff revoking the download or making it available again."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from portal.audit.events import record as audit
from portal.audit.models import AuditEvent
from sar import deadlines, roles, selectors
from sar.bundles.events import PARENT_DOWNLOAD_PURPOSE, STAFF_VIEW_PURPOSE, audit_data
from sar.bundles.messages import (
    ALREADY_REVOKED,
    AVAILABLE_AGAIN_MESSAGE,
    EXPIRED_MESSAGE,
    FILE_DAMAGED,
    NO_LONGER_MESSAGE,
    NOT_DOWNLOAD_STAFF,
    NOT_RELEASABLE,
    RELEASED_BY_DOWNLOAD,
    REVOKE_REASON_REQUIRED,
)
from sar.encryption import iter_encrypted_file
from sar.exceptions import NotPermitted, RuleViolation, SarError
from sar.models import AccessRequest, Bundle, BundleStatus, CaseStatus, SubjectCase
from sar.workflow import messages as workflow_messages
from sar.workflow.engine import audit_step, enter_status, lock_case, log_step
from sar.workflow.table import transition

logger = logging.getLogger(__name__)

# Where the parent may download an approved bundle.
DOWNLOADABLE = (CaseStatus.APPROVED, CaseStatus.RELEASED)


class DownloadState(enum.StrEnum):
    AVAILABLE = "available"
    EXPIRED = "expired"
    REVOKED = "revoked"  # by staff, or the case closed
    NONE = "none"  # nothing approved (or on hold): nothing is said


def download_state(
    case: SubjectCase,
    bundle: Bundle | None,
    *,
    now: dt.datetime | None = None,
    held: bool | None = None,
) -> DownloadState:
    """Whether the parent can download ``case``'s bundle now. A case on hold,
    or not yet approved, has nothing to say (a hold is never told apart from
    ordinary work). ``held``: whether a standing hold covers the case, when
    read with the bundle (``downloads_for_parent``)."""
    if bundle is None or bundle.status != BundleStatus.READY or bundle.available_until is None:
        return DownloadState.NONE
    if case.status == CaseStatus.CLOSED:
        return DownloadState.REVOKED
    if case.status not in DOWNLOADABLE:
        return DownloadState.NONE
    # A standing hold, checked as well as the status, so a hold can never be
    # missed by a case that has not been moved yet.
    from sar.safeguarding import case_release_blocked

    if case_release_blocked(case, held=held):
        return DownloadState.NONE
    if bundle.revoked_at is not None:
        return DownloadState.REVOKED
    if (now or timezone.now()) >= bundle.available_until:
        return DownloadState.EXPIRED
    return DownloadState.AVAILABLE


def download_filename(case: SubjectCase) -> str:
    """``records-SAR-2025-00042.pdf``; with a number after the reference when
    the request is about more than one person (one bundle each)."""
    reference = case.request.reference
    ids = list(case.request.cases.order_by("id").values_list("id", flat=True))
    if len(ids) > 1:
        return f"records-{reference}-{ids.index(case.pk) + 1}.pdf"
    return f"records-{reference}.pdf"


@dataclass(frozen=True)
class ParentDownload:
    """One person's bundle on a request, as the parent's request page shows it."""

    case: SubjectCase
    bundle: Bundle | None
    state: DownloadState

    @property
    def message(self) -> str:
        if self.state == DownloadState.EXPIRED:
            return EXPIRED_MESSAGE
        if self.state == DownloadState.REVOKED:
            return NO_LONGER_MESSAGE
        return ""


def downloads_for_parent(user, access_request: AccessRequest) -> list[ParentDownload]:
    """The downloads on one of ``user``'s own requests (the request must come
    from ``sar.selectors.request_for_parent``), one per person it is about,
    leaving out those with nothing to say."""
    if access_request.requester_id != user.pk:
        raise Http404("No such request.")
    from sar.safeguarding import standing_holds_for

    cases = list(access_request.cases.all())
    # With each bundle, whether a standing hold covers its case: one query.
    bundles = {
        b.subject_case_id: b
        for b in Bundle.objects.filter(subject_case__in=cases).annotate(
            case_held=Exists(standing_holds_for(OuterRef("subject_case")))
        )
    }
    now = timezone.now()
    downloads = []
    for case in cases:
        bundle = bundles.get(case.pk)
        held = bundle.case_held if bundle is not None else None
        state = download_state(case, bundle, now=now, held=held)
        downloads.append(ParentDownload(case, bundle, state))
    return [d for d in downloads if d.state != DownloadState.NONE]


class DownloadGone(SarError):
    """The download was there but has expired or been revoked: the parent is
    told in plain words (``message``)."""


@dataclass(frozen=True)
class Download:
    """A bundle's PDF, checked against its SHA-256, to be served as it is
    decrypted: ``chunks()`` yields it a segment at a time (so no process holds
    a whole bundle), ``size`` is its length in bytes."""

    chunks: Callable[[], Iterator[bytes]]
    size: int
    filename: str

    @property
    def pdf(self) -> bytes:
        """The whole PDF at once (for small uses and tests)."""
        return b"".join(self.chunks())


def _checked_pdf(bundle: Bundle, filename: str) -> Download | None:
    """``bundle``'s file as a ``Download``, once a first pass, a segment at a
    time, has found it whole and matching its SHA-256 (None when it does not)."""
    digest, size = hashlib.sha256(), 0
    try:
        for block in iter_encrypted_file(bundle.file):
            digest.update(block)
            size += len(block)
    except InvalidToken:
        return None
    if digest.hexdigest() != bundle.sha256:
        return None
    return Download(chunks=partial(iter_encrypted_file, bundle.file), size=size, filename=filename)


def bundle_download(*, user, reference: str, case_id: int, request=None) -> Download:
    """The decrypted PDF of one of ``user``'s own approved bundles, checked
    against its SHA-256. Anyone else's case, or one with nothing to download
    (not approved, on hold), is ``Http404``; an expired or revoked one is
    ``DownloadGone``. Each download is an audit event; the first one records
    that the records were given (the case moves to released)."""
    if not selectors.parent_has_case(user, reference, case_id):
        raise Http404("No such case.")
    with transaction.atomic():
        # Locked, so a hold placed at the same moment lands first or waits.
        case = lock_case(SubjectCase(pk=case_id))
        bundle = Bundle.objects.select_for_update().filter(subject_case=case).first()
        state = download_state(case, bundle)
        if state == DownloadState.NONE:
            raise Http404("Nothing to download.")
        if state == DownloadState.EXPIRED:
            raise DownloadGone(EXPIRED_MESSAGE)
        if state == DownloadState.REVOKED:
            raise DownloadGone(NO_LONGER_MESSAGE)
        download = _checked_pdf(bundle, download_filename(case))
        if download is None:
            logger.error("Bundle %s does not match its SHA-256.", bundle.pk)
            raise DownloadGone(NO_LONGER_MESSAGE)
        audit(
            action="sar.bundle.downloaded",
            actor=user,
            obj=bundle,
            reason=PARENT_DOWNLOAD_PURPOSE,
            request=request,
            data=audit_data(bundle, case, sha256=bundle.sha256),
        )
        if case.status == CaseStatus.APPROVED:
            _release_on_download(case, user)
    return download


def _release_on_download(case: SubjectCase, user) -> None:
    """The records were given: the ``release`` step, taken by the download."""
    t = transition("release")
    now = timezone.now()
    source = case.status
    enter_status(case, t, now=now)
    case.save()
    entry = log_step(
        kind=t.name,
        request=case.request,
        case=case,
        actor=user,
        message=RELEASED_BY_DOWNLOAD,
        now=now,
    )
    audit_step(
        action=f"sar.case.{t.name}", case=case, actor=user, reason="", entry=entry, source=source
    )


# Staff: the PDF, and the parent's download -------------------------------------


def bundle_open_for_staff(*, bundle: Bundle, actor, request=None) -> Download:
    """The decrypted PDF for a member of staff checking it (an audit event
    with the purpose). The caller has already found the case among those the
    person may see (``sar.selectors.case_for_staff``)."""
    case = bundle.subject_case
    if not roles.is_case_staff(actor) or roles.is_requester(actor, case.request):
        raise NotPermitted(workflow_messages.NOT_PERMITTED)
    if bundle.status != BundleStatus.READY:
        raise RuleViolation(NOT_RELEASABLE)
    download = _checked_pdf(bundle, download_filename(case))
    if download is None:
        logger.error("Bundle %s does not match its SHA-256.", bundle.pk)
        raise RuleViolation(FILE_DAMAGED)
    audit(
        action="sar.bundle.viewed",
        actor=actor,
        obj=bundle,
        reason=STAFF_VIEW_PURPOSE,
        request=request,
        data=audit_data(bundle, case),
    )
    return download


def _check_download_staff(actor, case: SubjectCase) -> None:
    if not roles.has_any_role(actor, (roles.CASEWORKER, roles.APPROVER)):
        raise NotPermitted(NOT_DOWNLOAD_STAFF)
    if roles.is_requester(actor, case.request):
        raise NotPermitted(workflow_messages.OWN_REQUEST)


def _lock_released(bundle: Bundle, actor) -> tuple[SubjectCase, Bundle]:
    case = lock_case(bundle.subject_case)
    _check_download_staff(actor, case)
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    if (
        case.status not in DOWNLOADABLE
        or bundle.status != BundleStatus.READY
        or bundle.available_until is None
    ):
        raise RuleViolation(NOT_RELEASABLE)
    return case, bundle


def bundle_revoke(*, bundle: Bundle, actor, reason: str) -> Bundle:
    """Stop the parent's download now (a caseworker or approver, saying why).
    The parent reads only that it is no longer available."""
    reason = (reason or "").strip()
    with transaction.atomic():
        case, bundle = _lock_released(bundle, actor)
        if not reason:
            raise RuleViolation(REVOKE_REASON_REQUIRED)
        if bundle.revoked_at is not None:
            raise RuleViolation(ALREADY_REVOKED)
        now = timezone.now()
        bundle.revoked_at = now
        bundle.revoked_by = actor
        bundle.revoke_reason = reason
        bundle.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        log_step(
            kind="bundle_revoke",
            request=case.request,
            case=case,
            actor=actor,
            message=f"The requester's download was revoked. Reason: {reason}",
            now=now,
        )
        audit(
            action="sar.bundle.revoked",
            actor=actor,
            obj=bundle,
            reason=reason,
            data=audit_data(bundle, case),
        )
    return bundle


def bundle_make_available(*, bundle: Bundle, actor, reason: str = "") -> Bundle:
    """Let the parent download the bundle again (after it expired or was
    revoked) for another ``BUNDLE_DOWNLOAD_DAYS`` days; they are told."""
    with transaction.atomic():
        case, bundle = _lock_released(bundle, actor)
        now = timezone.now()
        bundle.available_until = now + dt.timedelta(days=settings.BUNDLE_DOWNLOAD_DAYS)
        bundle.revoked_at = None
        bundle.revoked_by = None
        bundle.revoke_reason = ""
        bundle.save(update_fields=["available_until", "revoked_at", "revoked_by", "revoke_reason"])
        until = deadlines.london_date(bundle.available_until)
        entry = log_step(
            kind="bundle_available",
            request=case.request,
            case=case,
            actor=actor,
            message=AVAILABLE_AGAIN_MESSAGE.format(date=f"{until.day} {until:%B %Y}"),
            now=now,
            visible_to_parent=True,
            notice="request_update",
        )
        audit(
            action="sar.bundle.made_available",
            actor=actor,
            obj=bundle,
            reason=reason.strip(),
            data=audit_data(bundle, case, timeline_entry=entry.pk),
        )
    return bundle


def download_history(bundle: Bundle):
    """The parent's downloads of ``bundle`` (every generation), newest first,
    from the audit trail."""
    return AuditEvent.objects.filter(
        action="sar.bundle.downloaded", object_type="sar.bundle", object_id=str(bundle.pk)
    ).order_by("-timestamp", "-id")
