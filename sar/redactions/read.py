"""A subject case's redaction decisions, read and applied.

``redacted_record`` turns a record and its decisions into what may be
released: kept text and reason-only markers, never the words held back.
``undecided`` says which suggestions still need a decision (``undecided_checked``
remembers a record found complete, so a bundle need not run the detectors
again) and ``review_progress`` how far the review of a subject case has come.

A span remembers the words it covered (``excerpt``, encrypted): if a record's
text changed after the review, its spans no longer fit, and the record is
reported as stale rather than released with the wrong words blacked out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache, cached_property
from pathlib import Path

import phonenumbers

from portal.audit.models import AuditEvent
from sar.models import (
    Person,
    Record,
    RedactedField,
    Redaction,
    RedactionDecision,
    RedactionSource,
    SubjectCase,
    SubjectCaseRecord,
    SubjectKind,
)
from sar.records import records_in_scope
from sar.redaction import (
    KnownPerson,
    Segment,
    Suggestion,
    SuggestionKind,
    apply_redactions,
    suggest,
)

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

    def all_spans(self) -> list[Redaction]:
        return [r for spans in self.spans.values() for r in spans]


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


# What ``redacted_record``, ``undecided_checked`` and ``apply_redactions``
# read of a decision.
APPLY_FIELDS = (
    "record_id",
    "source",
    "field",
    "start",
    "end",
    "decision",
    "reason_code",
    "excerpt",
)


def decisions_for(
    subject_case: SubjectCase,
    *,
    record_ids: Iterable[int] | None = None,
    to_apply: bool = False,
) -> dict[int, RecordDecisions]:
    """Every decision on the subject case (on ``record_ids`` only, if given), by
    record id. ``to_apply``: only what checking and applying them needs (the
    bundle's job, thousands of rows: not who decided, when, or each
    exemption's text for the redaction log, which stays encrypted)."""
    by_record: dict[int, RecordDecisions] = defaultdict(RecordDecisions)
    redactions = Redaction.objects.filter(subject_case=subject_case)
    if record_ids is not None:
        redactions = redactions.filter(record_id__in=list(record_ids))
    if to_apply:
        redactions = redactions.only(*APPLY_FIELDS)
    for redaction in redactions.order_by("start", "id"):
        decisions = by_record[redaction.record_id]
        if redaction.source == RedactionSource.WHOLE_RECORD:
            decisions.withheld = redaction
        else:
            decisions.spans[redaction.field].append(redaction)
    return by_record


def _text(record: Record, field_name: str) -> str:
    return getattr(record, field_name) or ""


def fits(record: Record, redaction: Redaction) -> bool:
    """Whether a span decision still covers the words it was decided on (a
    whole-record decision always fits)."""
    if redaction.source == RedactionSource.WHOLE_RECORD:
        return True
    return _text(record, redaction.field)[redaction.start : redaction.end] == redaction.excerpt


def stale_spans(record: Record, decisions: RecordDecisions | None) -> list[Redaction]:
    """The span decisions (accepted or rejected) whose words are no longer
    where they were when decided: the record's text changed since."""
    decisions = decisions or RecordDecisions()
    return [r for r in decisions.all_spans() if not fits(record, r)]


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
    # The requester's own email address is theirs to see: never suggested.
    subject_emails: frozenset[str] = frozenset()

    @cached_property
    def fingerprint(self) -> bytes:
        """Everything here, as a digest (the same people, the same digest)."""
        data = {
            "third_parties": [asdict(person) for person in self.third_parties],
            "subjects": [asdict(person) for person in self.subjects],
            "subject_dob": str(self.subject_dob),
            "subject_emails": sorted(self.subject_emails),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).digest()


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
        subject_emails=frozenset({requester.email.casefold()}),
    )


def suggestions_for(record: Record, people: SubjectPeople) -> dict[str, list[Suggestion]]:
    """The detectors' suggestions for each part of ``record``."""
    found = {}
    for field_name in RedactedField.values:
        suggestions = suggest(
            _text(record, field_name),
            people=people.third_parties,
            subjects=people.subjects,
            subject_dob=people.subject_dob,
        )
        found[field_name] = [
            s
            for s in suggestions
            if not (s.kind == SuggestionKind.EMAIL and s.text.casefold() in people.subject_emails)
        ]
    return found


def undecided(
    record: Record, decisions: RecordDecisions | None, people: SubjectPeople
) -> dict[str, list[Suggestion]]:
    """The suggestions for ``record`` nobody has accepted or rejected yet
    (none, for a withheld record). A decision whose words have moved away
    (the text changed) decides nothing: what is there now is undecided."""
    decisions = decisions or RecordDecisions()
    if decisions.withheld is not None:
        return {}
    result = {}
    for field_name, suggestions in suggestions_for(record, people).items():
        decided = {(r.start, r.end) for r in decisions.spans.get(field_name, ()) if fits(record, r)}
        left = [s for s in suggestions if (s.start, s.end) not in decided]
        if left:
            result[field_name] = left
    return result


@cache
def _detectors_fingerprint() -> bytes:
    """The detectors' code (``sar.redaction`` and this module) and the phone
    number metadata's version: a change to either may change the suggestions."""
    import sar.redaction

    digest = hashlib.sha256(phonenumbers.__version__.encode())
    for path in sorted(Path(sar.redaction.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.digest()


def decided_digest(record: Record, decisions: RecordDecisions | None, people: SubjectPeople) -> str:
    """A digest of everything ``undecided`` depends on for ``record``: the
    detectors, the people they look for, the year (two-digit years are read
    against it), the record's text and the decided spans that still fit."""
    decisions = decisions or RecordDecisions()
    digest = hashlib.sha256(_detectors_fingerprint())
    digest.update(people.fingerprint)
    digest.update(str(dt.date.today().year).encode())
    parts = []
    for field_name in RedactedField.values:
        spans = decisions.spans.get(field_name, ())
        decided = sorted({(r.start, r.end) for r in spans if fits(record, r)})
        parts.append([field_name, _text(record, field_name), decided])
    digest.update(json.dumps(parts).encode())
    return digest.hexdigest()


def undecided_checked(
    record: Record, decisions: RecordDecisions | None, people: SubjectPeople, *, checked: str = ""
) -> tuple[dict[str, list[Suggestion]], str]:
    """``undecided``, remembered: returns the undecided suggestions and the
    digest to keep for the record (``SubjectCaseRecord.decided_digest``) when
    there are none. Given the digest kept last time (``checked``), a record
    whose text, people, decisions and detectors are all as they were is
    complete without running the detectors again.

    A withheld record gets no digest: its suggestions were never needed, and
    would be again if it were released.
    """
    decisions = decisions or RecordDecisions()
    if decisions.withheld is not None:
        return {}, ""
    digest = decided_digest(record, decisions, people)
    if checked and digest == checked:
        return {}, digest
    found = undecided(record, decisions, people)
    return found, "" if found else digest


def undecided_count(
    subject_case: SubjectCase, records: Iterable[Record] | None = None, *, remember: bool = False
) -> int:
    """How many suggestions on the records in scope still need a decision.

    ``remember``: keep the digest of each record found complete (see
    ``undecided_checked``), for the bundle's job to check against."""
    records = records_in_scope(subject_case) if records is None else records
    decisions = decisions_for(subject_case)
    people = people_for(subject_case)
    selections = {
        selection.record_id: selection
        for selection in SubjectCaseRecord.objects.filter(subject_case=subject_case).only(
            "record_id", "decided_digest"
        )
    }
    count = 0
    changed = []
    for record in records:
        selection = selections.get(record.pk)
        checked = selection.decided_digest if selection is not None else ""
        found, digest = undecided_checked(record, decisions.get(record.pk), people, checked=checked)
        count += sum(len(spans) for spans in found.values())
        if selection is not None and digest != checked:
            selection.decided_digest = digest
            changed.append(selection)
    if remember and changed:
        SubjectCaseRecord.objects.bulk_update(changed, ["decided_digest"], batch_size=500)
    return count


# Audit actions of the decision functions that delete a row (``decide``): a
# removal leaves no row with a newer ``decided_at``, only this event.
REMOVAL_ACTIONS = ("sar.redaction.removed", "sar.redaction.record_released")


def decisions_changed_since(subject_case: SubjectCase, since) -> bool:
    """Whether any redaction decision on the subject case was made, changed
    or removed after ``since`` (for example, after a bundle was prepared)."""
    if Redaction.objects.filter(subject_case=subject_case, decided_at__gt=since).exists():
        return True
    return AuditEvent.objects.filter(
        action__in=REMOVAL_ACTIONS,
        object_type=subject_case._meta.label_lower,
        object_id=str(subject_case.pk),
        timestamp__gt=since,
    ).exists()


# Progress of the review -------------------------------------------------------


@dataclass(frozen=True)
class RecordProgress:
    """Where the review of one record in scope stands."""

    record: Record
    undecided: int
    redacted: int  # accepted spans
    kept: int  # rejected suggestions
    withheld: Redaction | None
    stale: int  # span decisions that no longer fit the text

    @property
    def reviewed(self) -> bool:
        """Every suggestion decided and nothing stale (or the record withheld).
        Reading the record for what the detectors cannot find is still the
        caseworker's job: this only says nothing suggested is left open."""
        return self.withheld is not None or (self.undecided == 0 and self.stale == 0)


@dataclass(frozen=True)
class ReviewProgress:
    """Where the review of a subject case's records in scope stands."""

    records: list[RecordProgress]

    @property
    def total(self) -> int:
        return len(self.records)

    @property
    def reviewed(self) -> int:
        return sum(1 for r in self.records if r.reviewed)

    @property
    def undecided(self) -> int:
        return sum(r.undecided for r in self.records)

    @property
    def withheld(self) -> int:
        return sum(1 for r in self.records if r.withheld is not None)

    @property
    def redacted(self) -> int:
        return sum(r.redacted for r in self.records)

    @property
    def stale(self) -> int:
        return sum(1 for r in self.records if r.stale)

    @property
    def complete(self) -> bool:
        return all(r.reviewed for r in self.records)

    def for_record(self, record_id: int) -> RecordProgress | None:
        return next((r for r in self.records if r.record.pk == record_id), None)


def review_progress(
    subject_case: SubjectCase, records: Iterable[Record] | None = None
) -> ReviewProgress:
    """For each record in scope (or ``records``): suggestions undecided,
    spans redacted and kept, whether withheld, stale decisions."""
    if records is None:
        records = records_in_scope(subject_case).select_related("author")
    decisions = decisions_for(subject_case)
    people = people_for(subject_case)
    progress = []
    for record in records:
        mine = decisions.get(record.pk) or RecordDecisions()
        spans = mine.all_spans()
        redacted = sum(1 for r in spans if r.decision == RedactionDecision.ACCEPTED)
        progress.append(
            RecordProgress(
                record=record,
                undecided=sum(len(s) for s in undecided(record, mine, people).values()),
                redacted=redacted,
                kept=len(spans) - redacted,
                withheld=mine.withheld,
                stale=len(stale_spans(record, mine)),
            )
        )
    return ReviewProgress(records=progress)
