"""The rules every redaction decision follows (``sar.redactions.decide``
takes the decisions): who, when, and what a span or a reason must be, with
the messages a person reads when one is broken.

Who and when. Only a caseworker decides (not an approver, who checks the
result, nor anyone on a request they made themselves), and only while the
subject case is "In progress" or "In review (redaction)"
(``REDACTION_OPEN_STATUSES``): records are chosen and redacted while the case
is worked on; once it is submitted for approval the approver must see a fixed
result, and an approver who sends it back returns it to "In review", which
opens redaction again. A case on hold, approved or answered is closed to it.

What. A decision is about a record in scope (``records_in_scope``); a span
lies inside one part of the record's text and is never empty (spaces at its
ends are left out); everything held back says why (``ReasonCode``; "other
exemption" names the exemption in words). Audit events carry ids, offsets
and codes only, never the words.
"""

from __future__ import annotations

from portal.audit.events import record as audit
from sar import roles
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import (
    CaseStatus,
    Record,
    RedactedField,
    Redaction,
    RedactionSource,
    SubjectCase,
)
from sar.records import records_in_scope
from sar.redaction import ReasonCode
from sar.workflow.engine import lock_case
from sar.workflow.messages import OWN_REQUEST

# While the case is worked on; see the module's docstring.
REDACTION_OPEN_STATUSES = (CaseStatus.IN_PROGRESS, CaseStatus.IN_REVIEW)

NOT_CASEWORKER = "Only caseworkers can decide what is redacted."
REDACTION_CLOSED = (
    "Redactions can only be changed while the case is “In progress” or “In review "
    "(redaction)”. This case is “{status}”."
)
RECORD_NOT_IN_SCOPE = "That record is not one of the records chosen for this request."
REASON_REQUIRED = "Choose the reason for holding this back."
REASON_DETAIL_REQUIRED = "Enter the exemption relied on: “Other exemption” needs it."
NO_SUCH_PART = "Choose the part of the record the words are in."
SPAN_EMPTY = "Select the words to redact."
SPAN_OUTSIDE = "The words to redact must be inside the record's “{part}”."
TEXT_NOT_FOUND = "Those words are not in the record's “{part}”. Copy them exactly as they appear."
OCCURRENCE_OUT_OF_RANGE = (
    "Those words do not appear that many times in the record's “{part}”. "
    "Enter a number from 1 to {count}."
)
NOT_A_SUGGESTION = (
    "Those words are no longer suggested for redaction: the record or its "
    "suggestions changed. Review the record again."
)
ALREADY_DECIDED = "Those words already have a decision. Change that decision instead."
RECORD_WITHHELD = (
    "This record is withheld in full. Stop withholding it before redacting parts of it."
)
ONLY_SUGGESTIONS_KEPT = (
    "Only a suggestion can be kept. To keep words you chose yourself, remove the redaction."
)
DECISION_STALE = (
    "The record's text changed, so those words are no longer where this decision "
    "says. Remove the decision and decide again."
)
NOT_WITHHELD = "This record is not withheld."
NOT_THIS_CASE = "That decision belongs to another request."


# Who and when ------------------------------------------------------------------


def check_actor(subject_case: SubjectCase, actor) -> None:
    if not roles.has_role(actor, roles.CASEWORKER):
        raise NotPermitted(NOT_CASEWORKER)
    if roles.is_requester(actor, subject_case.request):
        raise NotPermitted(OWN_REQUEST)


def check_open(subject_case: SubjectCase) -> None:
    if subject_case.status not in REDACTION_OPEN_STATUSES:
        raise RuleViolation(REDACTION_CLOSED.format(status=CaseStatus(subject_case.status).label))


def may_decide(*, subject_case: SubjectCase, actor) -> bool:
    """Whether ``actor`` may make redaction decisions on ``subject_case`` now
    (the screens show the forms only then; the functions below check again)."""
    try:
        check_actor(subject_case, actor)
        check_open(subject_case)
    except (NotPermitted, RuleViolation):
        return False
    return True


def begin(subject_case: SubjectCase, actor) -> SubjectCase:
    """Lock the case (inside the caller's transaction) and check who and when:
    the role first, so someone without it learns nothing about the case."""
    check_actor(subject_case, actor)
    locked = lock_case(subject_case)
    check_open(locked)
    return locked


def in_scope(subject_case: SubjectCase, record: Record) -> Record:
    """``record`` as it is now, if it is in the subject case's scope."""
    try:
        return records_in_scope(subject_case).get(pk=record.pk)
    except Record.DoesNotExist:
        raise RuleViolation(RECORD_NOT_IN_SCOPE) from None


# What ---------------------------------------------------------------------------


def clean_reason(reason_code: str, reason_detail: str) -> tuple[str, str]:
    if reason_code not in ReasonCode.values:
        raise RuleViolation(REASON_REQUIRED)
    detail = (reason_detail or "").strip()
    if reason_code == ReasonCode.OTHER:
        if not detail:
            raise RuleViolation(REASON_DETAIL_REQUIRED)
        return reason_code, detail
    # Only "other exemption" is explained in words; the codes explain themselves.
    return reason_code, ""


def part_label(field_name: str) -> str:
    return str(RedactedField(field_name).label)


def part_text(record: Record, field_name: str) -> str:
    if field_name not in RedactedField.values:
        raise RuleViolation(NO_SUCH_PART)
    return getattr(record, field_name) or ""


def clean_span(record: Record, field_name: str, start, end) -> tuple[int, int]:
    """The span inside the part's text, without the spaces a selection tends
    to take in at its ends; never empty."""
    text = part_text(record, field_name)
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise RuleViolation(SPAN_EMPTY) from None
    if start < 0 or end > len(text) or start > end:
        raise RuleViolation(SPAN_OUTSIDE.format(part=part_label(field_name)))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise RuleViolation(SPAN_EMPTY)
    return start, end


def occurrences(text: str, words: str) -> list[int]:
    """Where each appearance of ``words`` in ``text`` starts (appearances may
    overlap: "aa" is twice in "aaa")."""
    found = []
    position = text.find(words) if words else -1
    while position >= 0:
        found.append(position)
        position = text.find(words, position + 1)
    return found


def find_occurrence(record: Record, field_name: str, words: str, occurrence: int) -> int:
    text = part_text(record, field_name)
    if not words:
        raise RuleViolation(SPAN_EMPTY)
    found = occurrences(text, words)
    part = part_label(field_name)
    if not found:
        raise RuleViolation(TEXT_NOT_FOUND.format(part=part))
    if not 1 <= occurrence <= len(found):
        raise RuleViolation(OCCURRENCE_OUT_OF_RANGE.format(count=len(found), part=part))
    return found[occurrence - 1]


def check_not_withheld(subject_case: SubjectCase, record: Record) -> None:
    withheld = Redaction.objects.filter(
        subject_case=subject_case, record=record, source=RedactionSource.WHOLE_RECORD
    )
    if withheld.exists():
        raise RuleViolation(RECORD_WITHHELD)


def span_row(subject_case: SubjectCase, record: Record, field_name: str, start, end):
    return (
        Redaction.objects.select_for_update()
        .filter(subject_case=subject_case, record=record, field=field_name, start=start, end=end)
        .exclude(source=RedactionSource.WHOLE_RECORD)
        .first()
    )


def audit_decision(action: str, *, actor, subject_case: SubjectCase, redaction: Redaction, **data):
    audit(
        action=action,
        actor=actor,
        obj=subject_case,
        data={
            "record_id": redaction.record_id,
            "redaction_id": redaction.pk,
            "field": redaction.field,
            "start": redaction.start,
            "end": redaction.end,
            "source": redaction.source,
            "decision": redaction.decision,
            "reason_code": redaction.reason_code,
            **data,
        },
    )
