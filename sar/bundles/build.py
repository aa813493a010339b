"""The bundle's PDF: the records in scope with their accepted redactions
applied (the words held back are gone before any HTML is built), after a
cover letter on the service's letterhead, rendered by ``sar.pdf``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.dateformat import format as format_date

from sar import deadlines
from sar.bundles.messages import FAILED_NO_RECORDS, FAILED_RENDER, FAILED_UNDECIDED
from sar.models import AccessRequest, Bundle, Record, SubjectCase, SubjectKind
from sar.pdf import FrontMatter, RecordHTML, ServiceDetails, segments_to_html
from sar.records import records_in_scope
from sar.redactions import RedactedRecord, StaleRedaction, decisions_for, redacted_record
from sar.redactions import undecided_count as count_undecided

logger = logging.getLogger(__name__)


class BundleFailure(Exception):
    """A bundle cannot be built; ``reason`` is shown to staff as it is."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BuiltBundle:
    """A rendered bundle, before it is stored."""

    pdf: bytes
    pages: int
    records: int
    withheld: int


def build_bundle_pdf(
    bundle: Bundle,
    *,
    on_progress=None,
    processes: int | None = None,
    chunk_size: int | None = None,
) -> BuiltBundle:
    """The bundle's PDF: the records in scope, each with its accepted
    redactions applied (withheld records left out and counted), after the
    cover letter on the service's letterhead. Raises ``BundleFailure`` with a
    reason for staff (a suggestion still undecided, a record whose text
    changed after review, a rendering failure)."""
    from sar.pdf import render_bundle
    from sar.pdf.render import ERROR_DAEMON, ERROR_WORKER_DIED, BundleRenderError, RenderStats

    case = SubjectCase.objects.select_related("request__requester", "child").get(
        pk=bundle.subject_case_id
    )
    records = list(records_in_scope(case).select_related("author"))
    if not records:
        raise BundleFailure(FAILED_NO_RECORDS)
    if count_undecided(case, records):
        raise BundleFailure(FAILED_UNDECIDED)
    decisions = decisions_for(case)
    included: list[RecordHTML] = []
    withheld = 0
    for record in records:
        try:
            redacted = redacted_record(record, decisions.get(record.pk))
        except StaleRedaction as stale:
            # Names the record by kind and date only (its title is a generic label).
            raise BundleFailure(str(stale)) from None
        if redacted.is_withheld:
            withheld += 1
            continue
        included.append(record_html(redacted))
    front = front_matter(case, bundle, withheld=withheld)
    stats = RenderStats()
    try:
        pdf = render_bundle(
            front_matter=front,
            records=included,
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
    return BuiltBundle(pdf=pdf, pages=stats.pages, records=len(included), withheld=withheld)


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
        anchor=f"record-{record.pk}",
        title=record.title,
        date=record.date,
        kind=record.get_kind_display(),
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
