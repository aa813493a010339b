"""A subject case's redaction decisions, read and applied.

The detectors in ``sar.redaction`` suggest spans; a caseworker accepts or
rejects each suggestion, adds spans by hand and may withhold a whole record
(``sar.models.Redaction``). This module turns a record and those decisions
into what may be released: kept text and reason-only markers, never the words
held back (``redacted_record``), and says what is still undecided.

A span remembers the words it covered (``excerpt``, encrypted): if a record's
text changed after the review, its spans no longer fit, and the record is
reported as stale rather than released with the wrong words blacked out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sar.models import (
    Person,
    Record,
    RedactedField,
    Redaction,
    RedactionDecision,
    RedactionSource,
    SubjectCase,
    SubjectKind,
)
from sar.records import records_in_scope
from sar.redaction import KnownPerson, Segment, Suggestion, apply_redactions, suggest

RECORD_CHANGED = (
    "The text of “{record}” changed after it was reviewed. Review its redactions again."
)


class StaleRedaction(Exception):
    """A saved span no longer covers the words it was decided on."""

    def __init__(self, record: Record):
        super().__init__(RECORD_CHANGED.format(record=record))
        self.record = record


@dataclass
class RecordDecisions:
    """One record's decisions in one subject case."""

    withheld: Redaction | None = None
    # field -> every decided span (accepted and rejected)
    spans: dict[str, list[Redaction]] = field(default_factory=lambda: defaultdict(list))

    def accepted(self, field_name: str) -> list[Redaction]:
        return [
            r for r in self.spans.get(field_name, ()) if r.decision == RedactionDecision.ACCEPTED
        ]

    def decided_extents(self, field_name: str) -> set[tuple[int, int]]:
        return {(r.start, r.end) for r in self.spans.get(field_name, ())}


@dataclass(frozen=True)
class RedactedRecord:
    """What may be released of one record: ``None`` fields when withheld."""

    record: Record
    withheld_reason: str = ""  # the reason code, when the whole record is withheld
    body: list[Segment] = field(default_factory=list)
    sender: list[Segment] = field(default_factory=list)
    recipients: list[Segment] = field(default_factory=list)

    @property
    def is_withheld(self) -> bool:
        return bool(self.withheld_reason)


def decisions_for(subject_case: SubjectCase) -> dict[int, RecordDecisions]:
    """Every decision on the subject case, by record id."""
    by_record: dict[int, RecordDecisions] = defaultdict(RecordDecisions)
    for redaction in Redaction.objects.filter(subject_case=subject_case).order_by("start", "id"):
        decisions = by_record[redaction.record_id]
        if redaction.source == RedactionSource.WHOLE_RECORD:
            decisions.withheld = redaction
        else:
            decisions.spans[redaction.field].append(redaction)
    return by_record


def _text(record: Record, field_name: str) -> str:
    return getattr(record, field_name) or ""


def redacted_record(record: Record, decisions: RecordDecisions | None) -> RedactedRecord:
    """``record`` with its accepted redactions applied. Raises ``StaleRedaction``
    when a span no longer covers the words it was decided on."""
    decisions = decisions or RecordDecisions()
    if decisions.withheld is not None:
        return RedactedRecord(record=record, withheld_reason=decisions.withheld.reason_code)
    parts = {}
    for field_name in RedactedField.values:
        text = _text(record, field_name)
        spans = decisions.accepted(field_name)
        for span in spans:
            if text[span.start : span.end] != span.excerpt:
                raise StaleRedaction(record)
        parts[field_name] = apply_redactions(text, spans)
    return RedactedRecord(record=record, **parts)


@dataclass(frozen=True)
class SubjectPeople:
    """Who the detectors look for in one subject case's records."""

    third_parties: tuple[KnownPerson, ...]
    subjects: tuple[KnownPerson, ...]
    subject_dob: object = None


def people_for(subject_case: SubjectCase) -> SubjectPeople:
    """The known third parties on the requester's service cases, and the people
    the request is about (the requester and, for a child's case, the child),
    whose names and date of birth are never suggested."""
    request = subject_case.request
    requester = request.requester
    subjects = [KnownPerson(full_name=requester.full_name or requester.email)]
    dob = None
    if subject_case.kind == SubjectKind.CHILD and subject_case.child is not None:
        subjects.append(KnownPerson(full_name=subject_case.child.full_name))
        dob = subject_case.child.date_of_birth
    people = Person.objects.filter(case__service_user=requester).order_by("id")
    return SubjectPeople(
        third_parties=tuple(p.as_known_person() for p in people),
        subjects=tuple(subjects),
        subject_dob=dob,
    )


def suggestions_for(record: Record, people: SubjectPeople) -> dict[str, list[Suggestion]]:
    """The detectors' suggestions for each part of ``record``."""
    return {
        field_name: suggest(
            _text(record, field_name),
            people=people.third_parties,
            subjects=people.subjects,
            subject_dob=people.subject_dob,
        )
        for field_name in RedactedField.values
    }


def undecided(
    record: Record, decisions: RecordDecisions | None, people: SubjectPeople
) -> dict[str, list[Suggestion]]:
    """The suggestions for ``record`` nobody has accepted or rejected yet
    (none, for a withheld record)."""
    decisions = decisions or RecordDecisions()
    if decisions.withheld is not None:
        return {}
    result = {}
    for field_name, suggestions in suggestions_for(record, people).items():
        decided = decisions.decided_extents(field_name)
        left = [s for s in suggestions if (s.start, s.end) not in decided]
        if left:
            result[field_name] = left
    return result


def undecided_count(subject_case: SubjectCase, records: Iterable[Record] | None = None) -> int:
    """How many suggestions on the records in scope still need a decision."""
    records = records_in_scope(subject_case) if records is None else records
    decisions = decisions_for(subject_case)
    people = people_for(subject_case)
    return sum(
        len(spans)
        for record in records
        for spans in undecided(record, decisions.get(record.pk), people).values()
    )
