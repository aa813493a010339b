"""A caseworker's redaction decisions: the one door for every change to the
redaction log (``sar.models.Redaction``), under the rules of
``sar.redactions.rules``.

Accept (redact) or reject (keep) one of the detectors' suggestions; accept
all that are left in a record or the whole case with one reason; redact
words chosen by hand (offsets, or "the Nth occurrence of this text" for a
browser without JavaScript); change or remove a decision; withhold a whole
record, or stop withholding it.

Each function locks the subject case (its request first, as the workflow
does), so two caseworkers' decisions queue rather than interleave, and
writes an audit event with ids, offsets and codes only, never the words.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.audit.events import record as audit
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import (
    Record,
    Redaction,
    RedactionDecision,
    RedactionSource,
    SubjectCase,
)
from sar.records import records_in_scope
from sar.redaction import ReasonCode, Suggestion
from sar.redactions.read import (
    decisions_for,
    fits,
    people_for,
    suggestions_for,
    undecided,
)
from sar.redactions.rules import (
    ALREADY_DECIDED,
    DECISION_STALE,
    NOT_A_SUGGESTION,
    NOT_THIS_CASE,
    NOT_WITHHELD,
    ONLY_SUGGESTIONS_KEPT,
    REASON_REQUIRED,
    audit_decision,
    begin,
    check_not_withheld,
    clean_reason,
    clean_span,
    find_occurrence,
    in_scope,
    part_text,
    span_row,
)

# Suggestions ------------------------------------------------------------------


def _suggestion(subject_case, record, field_name, start, end) -> Suggestion:
    part_text(record, field_name)
    for suggestion in suggestions_for(record, people_for(subject_case))[field_name]:
        if (suggestion.start, suggestion.end) == (start, end):
            return suggestion
    raise RuleViolation(NOT_A_SUGGESTION)


def _decide_suggestion(
    *,
    subject_case: SubjectCase,
    record: Record,
    suggestion: Suggestion,
    field_name: str,
    decision: str,
    reason_code: str,
    reason_detail: str,
    actor,
    now,
) -> Redaction:
    """Save one decision on one suggestion: a new row, or the row already at
    its extent (a decision being changed, or one left stale by an edit)."""
    values = {
        "source": RedactionSource.SUGGESTED,
        "suggestion_kind": suggestion.kind,
        "decision": decision,
        "reason_code": reason_code,
        "reason_detail": reason_detail,
        "excerpt": suggestion.text,
        "decided_by": actor,
        "decided_at": now,
    }
    row = span_row(subject_case, record, field_name, suggestion.start, suggestion.end)
    if row is None:
        return Redaction.objects.create(
            subject_case=subject_case,
            record=record,
            field=field_name,
            start=suggestion.start,
            end=suggestion.end,
            **values,
        )
    if (
        row.source == RedactionSource.MANUAL
        and fits(record, row)
        and decision == RedactionDecision.REJECTED
    ):
        # Words redacted by hand are not "kept" through a suggestion's button.
        raise RuleViolation(ALREADY_DECIDED)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def _suggestion_decide(
    *, subject_case, record, field, start, end, decision, reason_code, reason_detail, actor
) -> Redaction:
    with transaction.atomic():
        subject_case = begin(subject_case, actor)
        record = in_scope(subject_case, record)
        if decision == RedactionDecision.ACCEPTED:
            reason_code, reason_detail = clean_reason(reason_code, reason_detail)
        else:
            reason_code, reason_detail = "", ""
        check_not_withheld(subject_case, record)
        suggestion = _suggestion(subject_case, record, field, start, end)
        redaction = _decide_suggestion(
            subject_case=subject_case,
            record=record,
            suggestion=suggestion,
            field_name=field,
            decision=decision,
            reason_code=reason_code,
            reason_detail=reason_detail,
            actor=actor,
            now=timezone.now(),
        )
        audit_decision(
            "sar.redaction.suggestion_accepted"
            if decision == RedactionDecision.ACCEPTED
            else "sar.redaction.suggestion_rejected",
            actor=actor,
            subject_case=subject_case,
            redaction=redaction,
            kind=suggestion.kind,
        )
        return redaction


def suggestion_accept(
    *,
    subject_case: SubjectCase,
    record: Record,
    field: str,
    start: int,
    end: int,
    reason_code: str = ReasonCode.THIRD_PARTY,
    reason_detail: str = "",
    actor,
) -> Redaction:
    """Redact the detectors' suggestion at ``start``-``end`` of ``field``, for
    ``reason_code``. The suggestion must still be there (a page left open while
    the record changed gets ``NOT_A_SUGGESTION``)."""
    return _suggestion_decide(
        subject_case=subject_case,
        record=record,
        field=field,
        start=start,
        end=end,
        decision=RedactionDecision.ACCEPTED,
        reason_code=reason_code,
        reason_detail=reason_detail,
        actor=actor,
    )


def suggestion_reject(
    *, subject_case: SubjectCase, record: Record, field: str, start: int, end: int, actor
) -> Redaction:
    """Keep the words of a suggestion: the decision is saved (and logged), so
    the suggestion is not offered again."""
    return _suggestion_decide(
        subject_case=subject_case,
        record=record,
        field=field,
        start=start,
        end=end,
        decision=RedactionDecision.REJECTED,
        reason_code="",
        reason_detail="",
        actor=actor,
    )


def suggestions_accept_all(
    *,
    subject_case: SubjectCase,
    actor,
    record: Record | None = None,
    reason_code: str = ReasonCode.THIRD_PARTY,
    reason_detail: str = "",
) -> int:
    """Redact every suggestion still undecided, in ``record`` or (without one)
    in every record in scope, for one reason. Withheld records are left as
    they are. Returns how many suggestions were redacted."""
    with transaction.atomic():
        subject_case = begin(subject_case, actor)
        reason_code, reason_detail = clean_reason(reason_code, reason_detail)
        if record is not None:
            record = in_scope(subject_case, record)
            check_not_withheld(subject_case, record)
            records = [record]
        else:
            records = list(records_in_scope(subject_case))
        decisions = decisions_for(subject_case)
        people = people_for(subject_case)
        now = timezone.now()
        done: dict[int, int] = {}
        for each in records:
            for field_name, suggestions in undecided(each, decisions.get(each.pk), people).items():
                for suggestion in suggestions:
                    _decide_suggestion(
                        subject_case=subject_case,
                        record=each,
                        suggestion=suggestion,
                        field_name=field_name,
                        decision=RedactionDecision.ACCEPTED,
                        reason_code=reason_code,
                        reason_detail=reason_detail,
                        actor=actor,
                        now=now,
                    )
                    done[each.pk] = done.get(each.pk, 0) + 1
        count = sum(done.values())
        if count:
            audit(
                action="sar.redaction.suggestions_accepted",
                actor=actor,
                obj=subject_case,
                data={
                    "record_ids": sorted(done),
                    "count": count,
                    "reason_code": reason_code,
                    "scope": "record" if record is not None else "case",
                },
            )
        return count


# Words chosen by hand ---------------------------------------------------------


def _add_span(
    *, subject_case, record, field_name, start, end, reason_code, reason_detail, actor
) -> Redaction:
    reason_code, reason_detail = clean_reason(reason_code, reason_detail)
    check_not_withheld(subject_case, record)
    start, end = clean_span(record, field_name, start, end)
    words = part_text(record, field_name)[start:end]
    now = timezone.now()
    row = span_row(subject_case, record, field_name, start, end)
    if row is not None and fits(record, row):
        if row.decision == RedactionDecision.ACCEPTED:
            raise RuleViolation(ALREADY_DECIDED)
        # A suggestion kept earlier, now chosen for redaction after all.
        row.decision = RedactionDecision.ACCEPTED
    elif row is not None:
        # A decision the text has moved away from: the new one replaces it.
        row.source = RedactionSource.MANUAL
        row.suggestion_kind = ""
        row.decision = RedactionDecision.ACCEPTED
    else:
        row = Redaction(
            subject_case=subject_case,
            record=record,
            field=field_name,
            start=start,
            end=end,
            source=RedactionSource.MANUAL,
        )
    row.reason_code = reason_code
    row.reason_detail = reason_detail
    row.excerpt = words
    row.decided_by = actor
    row.decided_at = now
    row.save()
    audit_decision("sar.redaction.added", actor=actor, subject_case=subject_case, redaction=row)
    return row


def redaction_add(
    *,
    subject_case: SubjectCase,
    record: Record,
    field: str,
    start: int,
    end: int,
    reason_code: str,
    reason_detail: str = "",
    actor,
) -> Redaction:
    """Redact characters ``start`` to ``end`` (Python string offsets, end
    exclusive) of the record's ``field``, chosen by hand; spaces at either end
    are left out. The words are kept (encrypted) with the decision."""
    with transaction.atomic():
        subject_case = begin(subject_case, actor)
        record = in_scope(subject_case, record)
        return _add_span(
            subject_case=subject_case,
            record=record,
            field_name=field,
            start=start,
            end=end,
            reason_code=reason_code,
            reason_detail=reason_detail,
            actor=actor,
        )


def redaction_add_text(
    *,
    subject_case: SubjectCase,
    record: Record,
    field: str,
    text: str,
    occurrence: int = 1,
    reason_code: str,
    reason_detail: str = "",
    actor,
) -> Redaction:
    """Redact the ``occurrence``-th appearance (from 1) of ``text`` in the
    record's ``field``: how words are chosen without selecting them on screen."""
    with transaction.atomic():
        subject_case = begin(subject_case, actor)
        record = in_scope(subject_case, record)
        clean_reason(reason_code, reason_detail)
        words = (text or "").strip()
        start = find_occurrence(record, field, words, int(occurrence))
        return _add_span(
            subject_case=subject_case,
            record=record,
            field_name=field,
            start=start,
            end=start + len(words),
            reason_code=reason_code,
            reason_detail=reason_detail,
            actor=actor,
        )


# Changing and removing decisions ----------------------------------------------


def _own_row(subject_case: SubjectCase, redaction: Redaction) -> Redaction:
    row = Redaction.objects.select_for_update().filter(pk=redaction.pk).first()
    if row is None or row.subject_case_id != subject_case.pk:
        raise NotPermitted(NOT_THIS_CASE)
    return row


def redaction_change(
    *,
    subject_case: SubjectCase,
    redaction: Redaction,
    decision: str = RedactionDecision.ACCEPTED,
    reason_code: str = "",
    reason_detail: str = "",
    actor,
) -> Redaction:
    """Change a decision: redact a suggestion that was kept or keep one that
    was redacted, or give a redaction (or a withheld record) another reason."""
    with transaction.atomic():
        subject_case = begin(subject_case, actor)
        row = _own_row(subject_case, redaction)
        record = in_scope(subject_case, row.record)
        if decision not in RedactionDecision.values:
            raise RuleViolation(REASON_REQUIRED)
        if decision == RedactionDecision.REJECTED:
            if row.source != RedactionSource.SUGGESTED:
                raise RuleViolation(ONLY_SUGGESTIONS_KEPT)
            reason_code, reason_detail = "", ""
        else:
            reason_code, reason_detail = clean_reason(reason_code, reason_detail)
        if not fits(record, row):
            raise RuleViolation(DECISION_STALE)
        before = {"decision": row.decision, "reason_code": row.reason_code}
        row.decision = decision
        row.reason_code = reason_code
        row.reason_detail = reason_detail
        row.decided_by = actor
        row.decided_at = timezone.now()
        row.save()
        audit_decision(
            "sar.redaction.changed",
            actor=actor,
            subject_case=subject_case,
            redaction=row,
            was=before,
        )
        return row


def redaction_remove(*, subject_case: SubjectCase, redaction: Redaction, actor) -> None:
    """Remove a decision: words redacted by hand are shown again, a suggestion
    is undecided again, a withheld record is released from withholding. The
    only way to clear a decision the record's text has moved away from."""
    with transaction.atomic():
        subject_case = begin(subject_case, actor)
        row = _own_row(subject_case, redaction)
        action = (
            "sar.redaction.record_released"
            if row.source == RedactionSource.WHOLE_RECORD
            else "sar.redaction.removed"
        )
        audit_decision(action, actor=actor, subject_case=subject_case, redaction=row)
        row.delete()


# Whole records ------------------------------------------------------------------


def record_withhold(
    *,
    subject_case: SubjectCase,
    record: Record,
    reason_code: str,
    reason_detail: str = "",
    actor,
) -> Redaction:
    """Withhold the whole record from this subject case's response, for
    ``reason_code`` (a second call changes the reason). Its span decisions
    are kept, and apply again if it stops being withheld."""
    with transaction.atomic():
        subject_case = begin(subject_case, actor)
        record = in_scope(subject_case, record)
        reason_code, reason_detail = clean_reason(reason_code, reason_detail)
        row, created = Redaction.objects.select_for_update().update_or_create(
            subject_case=subject_case,
            record=record,
            source=RedactionSource.WHOLE_RECORD,
            defaults={
                "decision": RedactionDecision.ACCEPTED,
                "reason_code": reason_code,
                "reason_detail": reason_detail,
                "decided_by": actor,
                "decided_at": timezone.now(),
            },
        )
        audit_decision(
            "sar.redaction.record_withheld",
            actor=actor,
            subject_case=subject_case,
            redaction=row,
            changed=not created,
        )
        return row


def record_unwithhold(*, subject_case: SubjectCase, record: Record, actor) -> None:
    """Stop withholding the record: its span decisions apply again."""
    with transaction.atomic():
        subject_case = begin(subject_case, actor)
        row = (
            Redaction.objects.select_for_update()
            .filter(subject_case=subject_case, record=record, source=RedactionSource.WHOLE_RECORD)
            .first()
        )
        if row is None:
            raise RuleViolation(NOT_WITHHELD)
        audit_decision(
            "sar.redaction.record_released", actor=actor, subject_case=subject_case, redaction=row
        )
        row.delete()
