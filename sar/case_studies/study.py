"""A service case as a case study: its cast, its records made anonymous, and
the plain-text document staff download.

Why plain text (UTF-8, ``.txt``): a case study is material a trainer edits
into slides or handouts, and plain text opens and edits anywhere. It also has
nothing but the words: no text layer under a picture, no metadata, no fonts
or links that could carry a name, so what the test reads is exactly what is
handed out. (A PDF would add a renderer, a second text layer to check and a
file nobody can correct; Markdown would need escaping that makes the text
harder to read.)
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import dataclass, field

import nh3
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sar.children import age_on
from sar.models import Record, RecordKind, ServiceCase

from .anonymise import AnonymisedText, Anonymiser, ReplacementKind
from .cast import CastMember, build_cast

# Tags whose content is not text ("<style>" rules, scripts).
_NOT_TEXT = {"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "head"}
# Text is HTML when it has an HTML element in it; "Sam <sam@example.org>" is not.
_LOOKS_LIKE_HTML = re.compile(
    r"<(?:!--|/?(?:p|br|div|span|b|i|u|em|strong|a|ul|ol|li|table|thead|tbody|tr|td|th|"
    r"h[1-6]|blockquote|pre|html|head|body|style|script|font|img|hr|center)\b[^>]*>)",
    re.IGNORECASE,
)
_BLOCK_END = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|/tr|/h[1-6]|/blockquote)\s*>", re.IGNORECASE)


def plain_text(value: str) -> str:
    """A record's text as plain text: HTML (a pasted email) loses its tags,
    keeps its line breaks; plain text is returned as it is."""
    if not value or not _LOOKS_LIKE_HTML.search(value):
        return value or ""
    with_breaks = _BLOCK_END.sub("\n", value)
    text = nh3.clean(with_breaks, tags=set(), clean_content_tags=_NOT_TEXT, strip_comments=True)
    return html.unescape(text)


@dataclass
class StudyRecord:
    """One record in the case study. ``record_id`` and ``original_date`` are
    for the staff preview only; the document never prints them."""

    number: int
    record_id: int
    kind: str
    kind_label: str
    original_date: dt.date
    date: dt.date
    title: AnonymisedText
    sender: AnonymisedText
    recipients: AnonymisedText
    body: AnonymisedText
    has_attachment: bool

    @property
    def fields(self) -> list[tuple[str, AnonymisedText]]:
        """The record's texts that are not empty, labelled, in print order."""
        labelled = [
            (_("Title"), self.title),
            (_("From"), self.sender),
            (_("To"), self.recipients),
            (_("Text"), self.body),
        ]
        return [(label, text) for label, text in labelled if text.pieces]


@dataclass
class CaseStudy:
    cast: list[CastMember]
    opened_on: dt.date
    closed_on: dt.date | None
    records: list[StudyRecord]
    # Ages of the children when the case opened, by pseudonym.
    ages: dict[str, int] = field(default_factory=dict)

    def replacements(self) -> Counter[tuple[str, str, str]]:
        """How often each (kind, found text, replacement) occurred."""
        counts: Counter[tuple[str, str, str]] = Counter()
        for record in self.records:
            for _label, text in record.fields:
                for piece in text.changes:
                    counts[(piece.kind, piece.original, piece.replacement)] += 1
        return counts

    def counts_by_kind(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (kind, _original, _replacement), n in self.replacements().items():
            counts[kind] += n
        # Record dates are moved too, though they are not in the text.
        counts[ReplacementKind.DATE] += len(self.records)
        return {str(kind): counts[kind] for kind in ReplacementKind if counts[kind]}


def build_case_study(
    *, case: ServiceCase, offset: dt.timedelta, extra_terms: tuple[str, ...] = ()
) -> CaseStudy:
    """``case`` made anonymous with dates moved by ``offset``: no audit, no
    permission check (``sar.case_studies.export`` does both)."""
    cast = build_cast(case)
    children = list(case.children.all())
    anonymiser = Anonymiser(
        cast=cast,
        schools=[c.school_or_setting for c in children],
        offset=offset,
        extra_terms=extra_terms,
    )
    records = []
    queryset = Record.objects.filter(case=case).order_by("date", "id")
    for number, record in enumerate(queryset, start=1):

        def clean(value: str, reference=record.date) -> AnonymisedText:
            return anonymiser.anonymise(plain_text(value), reference=reference)

        title = clean(record.title)
        records.append(
            StudyRecord(
                number=number,
                record_id=record.pk,
                kind=record.kind,
                kind_label=str(RecordKind(record.kind).label),
                original_date=record.date,
                date=record.date + offset,
                title=title,
                sender=clean(record.sender),
                recipients=clean(record.recipients),
                body=clean(record.body),
                has_attachment=bool(record.attachment),
            )
        )
    ages = {
        m.pseudonym: age_on(m.date_of_birth, case.opened_on)
        for m in cast
        if m.date_of_birth is not None and m.date_of_birth <= case.opened_on
    }
    return CaseStudy(
        cast=cast,
        opened_on=case.opened_on + offset,
        closed_on=case.closed_on + offset if case.closed_on else None,
        records=records,
        ages=ages,
    )


def _day(value: dt.date) -> str:
    return format_date(value, "l j F Y")


def _underline(title: str, mark: str) -> str:
    return f"{title}\n{mark * len(title)}"


def case_study_document(study: CaseStudy) -> str:
    """The case study as the plain text staff download."""
    lines = [
        _underline(_("Case study for training"), "="),
        "",
        _(
            "This case study was made from a real case. Everyone in it is called by "
            "their role instead of their name, and every date has been moved by the "
            "same number of weeks. Schools, addresses, phone numbers, email addresses "
            "and reference numbers have been removed. Please do not try to work out "
            "who the family are."
        ),
        "",
        _underline(_("Who is in it"), "-"),
        "",
    ]
    for member in study.cast:
        line = f"- {member.pseudonym}: {member.description}"
        age = study.ages.get(member.pseudonym)
        if age is not None:
            line += ", " + ngettext(
                "%(age)d year old when the case opened",
                "%(age)d years old when the case opened",
                age,
            ) % {"age": age}
        lines.append(line)
    kinds = Counter(record.kind_label for record in study.records)
    lines += [
        "",
        _underline(_("The case"), "-"),
        "",
        _("Opened: %(day)s") % {"day": _day(study.opened_on)},
        _("Closed: %(day)s") % {"day": _day(study.closed_on)}
        if study.closed_on
        else _("Closed: not yet"),
        _("Records: %(count)d") % {"count": len(study.records)}
        + (
            " (" + ", ".join(f"{label.lower()}: {n}" for label, n in sorted(kinds.items())) + ")"
            if kinds
            else ""
        ),
        "",
        _underline(_("Records"), "-"),
    ]
    for record in study.records:
        heading = f"{record.number}. {record.kind_label}, {_day(record.date)}"
        title = record.title.text.strip()
        if title and title.lower() != record.kind_label.lower():
            heading += f": {title}"
        lines += ["", _underline(heading, "~"), ""]
        if record.sender.text.strip():
            lines.append(_("From: %(who)s") % {"who": record.sender.text.strip()})
        if record.recipients.text.strip():
            lines.append(_("To: %(who)s") % {"who": record.recipients.text.strip()})
        if record.sender.text.strip() or record.recipients.text.strip():
            lines.append("")
        body = record.body.text.strip()
        if body:
            lines.append(body)
        if record.has_attachment:
            lines += ["", _("[An attachment is not included: its contents cannot be checked.]")]
    return "\n".join(lines).replace("\r\n", "\n") + "\n"
