"""What goes into a bundle, and its HTML (from the templates in ``sar/pdf/``).

Runs in the parent process, where Django's templates are set up; the worker
processes receive finished HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from sar.redaction import ReasonCode

from .sanitise import sanitise_record_html

DEFAULT_PURPOSES = (
    "to give you information, advice and support about special educational needs "
    "and disabilities (SEND), as you asked us to",
    "to keep a record of the advice and support we gave, so that we can help you "
    "consistently if you contact us again",
    "to keep children safe, where we believe a child is at risk",
    "to understand how our service is used and improve it, using information from "
    "which you cannot be identified",
)
DEFAULT_CATEGORIES = (
    "contact details for you and the people you asked us to contact",
    "information about your child, their education, their special educational needs "
    "or disability, and their health where it affects their education",
    "notes of our conversations, meetings, emails and letters, and documents you gave us",
)
DEFAULT_RECIPIENTS = (
    "We do not share your information outside our service without your consent, "
    "except where we believe a child is at risk, when we share what is needed to "
    "keep them safe.",
    "With your consent, the people you asked us to contact on your behalf, such "
    "as your child's school or the local authority's SEN team.",
)
DEFAULT_RETENTION = (
    "We keep our records until the young person leaves education, and then securely destroy them."
)
DEFAULT_SOURCES = (
    "you, and the young person",
    "professionals and organisations we contacted with your consent, such as "
    "schools and the local authority",
)

REASON_EXPLANATIONS = {
    ReasonCode.THIRD_PARTY: (
        "Information about someone other than you or your child, which we cannot "
        "share without their consent and where it would not be reasonable to share it "
        "without their consent."
    ),
    ReasonCode.SERIOUS_HARM: (
        "Information that would be likely to cause serious harm to the physical or "
        "mental health of you, your child or someone else if it were shared."
    ),
    ReasonCode.LEGAL_PRIVILEGE: (
        "Legal advice, or information prepared for legal proceedings, that is protected "
        "by legal professional privilege."
    ),
    ReasonCode.OTHER: (
        "Information withheld under another exemption in the Data Protection Act 2018. "
        "Please contact us if you would like to know more."
    ),
}

_ANCHOR_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,99}")


@dataclass(frozen=True, kw_only=True)
class ServiceDetails:
    """The service's letterhead (from the site's contact-details setting)."""

    name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    website: str = ""


@dataclass(frozen=True, kw_only=True)
class FrontMatter:
    """The cover letter's facts; the supplementary information has sensible defaults."""

    reference: str
    requester_name: str
    letter_date: dt.date
    service: ServiceDetails
    subject_description: str = "you"  # "you and your child", "your son, Alex"
    requester_address_lines: tuple[str, ...] = ()
    signatory: str = ""
    purposes: tuple[str, ...] = DEFAULT_PURPOSES
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    recipients: tuple[str, ...] = DEFAULT_RECIPIENTS
    retention: str = DEFAULT_RETENTION
    sources: tuple[str, ...] = DEFAULT_SOURCES
    withheld_records: int = 0


@dataclass(frozen=True, kw_only=True)
class RecordHTML:
    """One record as it will be printed.

    ``title``, ``kind`` and ``author`` are printed as text and ``title`` is also a
    bookmark, so they must already be free of anything redacted. ``body_html`` is
    already redacted (see ``segments_to_html``); it is sanitised again before use.
    """

    anchor: str
    title: str
    date: dt.date
    kind: str
    author: str = ""
    body_html: str = ""

    def __post_init__(self) -> None:
        _check_anchor(self.anchor)

    @property
    def size(self) -> int:
        """How long the record is, for sizing chunks."""
        return len(self.body_html)


@dataclass(frozen=True, kw_only=True)
class RecordEntry:
    """A record's place in the bundle, without its text: what the contents and
    the bookmarks show, and roughly how long it is (``size``, in characters,
    for sizing chunks). Its ``RecordHTML`` is built only when its chunk is
    rendered (``render_bundle``'s ``load_chunk``), so the calling process never
    holds every record's text at once."""

    anchor: str
    title: str
    date: dt.date
    kind: str
    size: int = 0

    def __post_init__(self) -> None:
        _check_anchor(self.anchor)


def _check_anchor(anchor: str) -> None:
    if not _ANCHOR_RE.fullmatch(anchor):
        raise ValueError(f"Record anchor {anchor!r} is not a simple HTML id")


@dataclass(frozen=True)
class ContentsEntry:
    title: str
    date: dt.date
    kind: str
    page: str


@dataclass(frozen=True)
class _Code:
    value: str
    label: str
    explanation: str


def document_title(reference: str) -> str:
    return f"Records copy {reference}"


def front_matter_html(*, front: FrontMatter) -> str:
    """The cover letter and the redaction codes (the contents follow separately)."""
    codes = [_Code(code.value, str(code.label), REASON_EXPLANATIONS[code]) for code in ReasonCode]
    return render_to_string(
        "sar/pdf/front_matter.html",
        {"title": document_title(front.reference), "front": front, "codes": codes},
    )


def contents_html(
    *,
    reference: str,
    records: Sequence[RecordHTML | RecordEntry],
    pages: Sequence[str],
    start: int,
    first_part: bool,
) -> str:
    """One part of the contents: ``records`` numbered from ``start``, on ``pages``."""
    contents = [
        ContentsEntry(record.title, record.date, record.kind, page)
        for record, page in zip(records, pages, strict=True)
    ]
    return render_to_string(
        "sar/pdf/contents.html",
        {
            "title": document_title(reference),
            "contents": contents,
            "start": start,
            "first_part": first_part,
        },
    )


@dataclass(frozen=True)
class _SafeRecord:
    anchor: str
    title: str
    date: dt.date
    kind: str
    author: str
    body_html: str = field(repr=False)


def records_html(*, reference: str, records: Iterable[RecordHTML], first_chunk: bool) -> str:
    """One chunk of records; every body goes through the sanitiser here."""
    safe = [
        _SafeRecord(r.anchor, r.title, r.date, r.kind, r.author, sanitise_record_html(r.body_html))
        for r in records
    ]
    return render_to_string(
        "sar/pdf/records.html",
        {"title": document_title(reference), "records": safe, "first_chunk": first_chunk},
    )


def css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string, safe inside <style>.

    Everything but letters, digits, spaces and a little punctuation becomes a
    six-digit CSS escape, so quotes, backslashes and "</style>" cannot break out.
    """
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.:-")
    return "".join(ch if ch in safe else f"\\{ord(ch):06x}" for ch in text)


# The pieces "Page X of Y" is composed from, and their ids in stamp.html.
STAMP_PIECES = {"Page ": "piece-page", " of ": "piece-of"} | {
    str(digit): f"piece-{digit}" for digit in range(10)
}


@dataclass(frozen=True)
class _Piece:
    id: str
    text: str


def stamp_html(*, reference: str, header_text: str) -> str:
    """The running header (first page) and the footer pieces (a page each)."""
    return render_to_string(
        "sar/pdf/stamp.html",
        {
            "title": document_title(reference),
            "header_css": css_string(" ".join(header_text.split())),
            "pieces": [_Piece(id, text) for text, id in STAMP_PIECES.items()],
        },
    )
