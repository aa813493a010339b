"""The bundle's PDF: the records in scope with their accepted redactions
applied (the words held back are gone before any HTML is built), after a
cover letter on the service's letterhead, rendered by ``sar.pdf``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models.functions import Length
from django.utils.dateformat import format as format_date

from sar import deadlines
from sar.bundles.messages import (
    FAILED_CHANGED,
    FAILED_NO_RECORDS,
    FAILED_RENDER,
    FAILED_UNDECIDED,
)
from sar.models import (
    AccessRequest,
    Bundle,
    Record,
    Redaction,
    RedactionSource,
    SubjectCase,
    SubjectCaseRecord,
    SubjectKind,
)
from sar.pdf import FrontMatter, RecordEntry, RecordHTML, ServiceDetails, segments_to_html
from sar.records import records_in_scope
from sar.redactions import (
    RedactedRecord,
    StaleRedaction,
    decisions_for,
    people_for,
    redacted_record,
    undecided_checked,
)

logger = logging.getLogger(__name__)


class BundleFailure(Exception):
    """A bundle cannot be built; ``reason`` is shown to staff as it is."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BuiltBundle:
    """A rendered bundle (its PDF is in the file the build was given)."""

    pages: int
    records: int
    withheld: int


def build_bundle_pdf(
    bundle: Bundle,
    out_path: str | Path,
    *,
    on_progress=None,
    processes: int | None = None,
    chunk_size: int | None = None,
) -> BuiltBundle:
    """Write the bundle's PDF to ``out_path``: the records in scope, each with
    its accepted redactions applied (withheld records left out and counted),
    after the cover letter on the service's letterhead. Raises
    ``BundleFailure`` with a reason for staff (a suggestion still undecided, a
    record whose text changed after review, a rendering failure).

    Memory does not grow with the bundle: the records are first listed without
    their text (date, kind, title and the length of the encrypted text, for the
    contents and for sizing chunks); each chunk's records are then read,
    decrypted, checked and redacted only as that chunk is about to be rendered.
    """
    from sar.pdf import render_bundle_file
    from sar.pdf.render import ERROR_DAEMON, ERROR_WORKER_DIED, BundleRenderError, RenderStats

    case = SubjectCase.objects.select_related("request__requester", "child").get(
        pk=bundle.subject_case_id
    )
    entries, withheld = _plan(case)
    if not entries and not withheld:
        raise BundleFailure(FAILED_NO_RECORDS)
    front = front_matter(case, bundle, withheld=withheld)
    stats = RenderStats()
    try:
        render_bundle_file(
            out_path,
            front_matter=front,
            records=entries,
            load_chunk=ChunkLoader(case),
            header_text=header_text(front),
            chunk_size=chunk_size or settings.BUNDLE_CHUNK_SIZE,
            processes=settings.BUNDLE_RENDER_PROCESSES if processes is None else processes,
            on_progress=on_progress,
            stats=stats,
        )
    except BundleRenderError as error:
        # Only the engine's own words: other messages may quote the HTML.
        known = str(error) in (ERROR_DAEMON, ERROR_WORKER_DIED)
        logger.error(
            "Bundle %s could not be rendered: %s", bundle.pk, type(error.__cause__).__name__
        )
        raise BundleFailure(str(error) if known else FAILED_RENDER) from None
    return BuiltBundle(pages=stats.pages, records=len(entries), withheld=withheld)


ANCHOR_PREFIX = "record-"


def _anchor(record_id: int) -> str:
    """A record's id in the bundle's HTML (and its bookmark's target)."""
    return f"{ANCHOR_PREFIX}{record_id}"


def _record_id(anchor: str) -> int:
    return int(anchor.removeprefix(ANCHOR_PREFIX))


def _plan(case: SubjectCase) -> tuple[list[RecordEntry], int]:
    """The records to print, in order, without their text; and how many are
    withheld in full. Nothing is decrypted."""
    withheld_ids = set(
        Redaction.objects.filter(
            subject_case=case, source=RedactionSource.WHOLE_RECORD
        ).values_list("record_id", flat=True)
    )
    entries = []
    withheld = 0
    rows = records_in_scope(case).only("date", "kind", "title").annotate(token=Length("body"))
    for record in rows:
        if record.pk in withheld_ids:
            withheld += 1
            continue
        entries.append(
            RecordEntry(
                anchor=_anchor(record.pk),
                title=record.title,
                date=record.date,
                kind=record.kind_label,
                # The text is about three quarters of its token's length.
                size=(record.token or 0) * 3 // 4,
            )
        )
    return entries, withheld


class ChunkLoader:
    """``load_chunk`` for the renderer: one chunk's records, read, decrypted,
    checked and redacted as the chunk is about to be rendered.

    Checks what preparing checked, again, as the job may run later: no
    suggestion is undecided (a new third party on the case brings new ones;
    a record unchanged since preparing found it complete is not scanned
    again, see ``undecided_checked``), no
    decision's words have moved, and the chunk's records are still in scope and
    still not withheld (else the contents already printed would be wrong)."""

    def __init__(self, case: SubjectCase):
        self.case = case
        self.people = people_for(case)

    def __call__(self, entries) -> list[RecordHTML]:
        ids = [_record_id(entry.anchor) for entry in entries]
        records = (
            records_in_scope(self.case)
            .filter(pk__in=ids)
            .select_related("author")
            .defer("include_confidential_decision")
        )
        by_id = {record.pk: record for record in records}
        decisions = decisions_for(self.case, record_ids=ids, to_apply=True)
        # What preparing found complete: unchanged since, no need to run the
        # detectors again (anything changed, and they run).
        checked = dict(
            SubjectCaseRecord.objects.filter(subject_case=self.case, record_id__in=ids).values_list(
                "record_id", "decided_digest"
            )
        )
        printed = []
        for record_id in ids:
            record = by_id.get(record_id)
            if record is None:
                raise BundleFailure(FAILED_CHANGED)
            record_decisions = decisions.get(record_id)
            found, _ = undecided_checked(
                record, record_decisions, self.people, checked=checked.get(record_id, "")
            )
            if found:
                raise BundleFailure(FAILED_UNDECIDED)
            try:
                redacted = redacted_record(record, record_decisions)
            except StaleRedaction as stale:
                # Names the record by kind and date only (its title is a generic label).
                raise BundleFailure(str(stale)) from None
            if redacted.is_withheld:
                raise BundleFailure(FAILED_CHANGED)
            printed.append(record_html(redacted))
        return printed


ATTACHMENT_NOTE = (
    "<p><strong>This record has an attachment that is not included in this copy.</strong> "
    "Contact us if you would like a copy of it.</p>"
)


def record_html(redacted: RedactedRecord) -> RecordHTML:
    """One record, as printed: its date, kind and author, who it was from and
    to (for letters and emails), and its text, each part with its redactions
    as black boxes holding only the reason code."""
    record: Record = redacted.record
    parts = []
    rows = [
        (label, segments)
        for label, segments in (("From", redacted.sender), ("To", redacted.recipients))
        if segments
    ]
    if rows:
        parts.append("<table><tbody>")
        for label, segments in rows:
            parts.append(
                f'<tr><th scope="row">{label}</th><td>{segments_to_html(segments)}</td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append(segments_to_html(redacted.body))
    if record.attachment:
        parts.append(ATTACHMENT_NOTE)
    author = record.author.get_full_name() if record.author else ""
    return RecordHTML(
        anchor=_anchor(record.pk),
        title=record.title,
        date=record.date,
        kind=record.kind_label,
        author=author,
        body_html="".join(parts),
    )


def _requester_name(request: AccessRequest) -> str:
    requester = request.requester
    return requester.get_full_name() or requester.email


def subject_description(case: SubjectCase) -> str:
    if case.kind == SubjectKind.CHILD and case.child is not None:
        return f"your child, {case.child.full_name}"
    return "you"


def service_details() -> ServiceDetails:
    """The letterhead, from the site's contact-details setting."""
    from content.models import ContactDetails

    contact = ContactDetails.for_request_or_default()
    return ServiceDetails(
        name=contact.service_name or settings.SERVICE_NAME,
        address_lines=tuple(line.strip() for line in contact.address.splitlines() if line.strip()),
        phone=contact.phone,
        email=contact.email,
    )


def front_matter(case: SubjectCase, bundle: Bundle, *, withheld: int) -> FrontMatter:
    signatory = bundle.prepared_by.get_full_name() if bundle.prepared_by_id else ""
    return FrontMatter(
        reference=case.request.reference,
        requester_name=_requester_name(case.request),
        letter_date=deadlines.today(),
        service=service_details(),
        subject_description=subject_description(case),
        signatory=signatory,
        withheld_records=withheld,
    )


def header_text(front: FrontMatter) -> str:
    """The running header on every page."""
    day = format_date(front.letter_date, "j F Y")
    return f"Confidential: prepared for {front.requester_name}, {front.reference}, {day}"
