"""Redaction decisions (``sar.redactions``): accepting and rejecting
suggestions, words chosen by hand, changing and removing decisions,
withholding whole records; who may decide and when; what is released; stale
decisions after a record's text changes; and audit events without the words."""

import datetime as dt
import json

import pytest
import time_machine

from portal.audit.models import AuditEvent
from sar import roles
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import (
    CaseStatus,
    Record,
    RedactedField,
    Redaction,
    RedactionDecision,
    RedactionSource,
    SubjectCaseRecord,
)
from sar.records import record_include_confidential, records_attach
from sar.redaction import KeptText, ReasonCode, RedactionMarker, redacted_plain_text
from sar.redactions import (
    ALREADY_DECIDED,
    DECISION_STALE,
    NOT_A_SUGGESTION,
    NOT_CASEWORKER,
    NOT_THIS_CASE,
    NOT_WITHHELD,
    OCCURRENCE_OUT_OF_RANGE,
    ONLY_SUGGESTIONS_KEPT,
    REASON_DETAIL_REQUIRED,
    REASON_REQUIRED,
    RECORD_NOT_IN_SCOPE,
    RECORD_WITHHELD,
    REDACTION_CLOSED,
    REDACTION_OPEN_STATUSES,
    SPAN_EMPTY,
    SPAN_OUTSIDE,
    TEXT_NOT_FOUND,
    StaleRedaction,
    decisions_changed_since,
    decisions_for,
    may_decide,
    people_for,
    record_unwithhold,
    record_withhold,
    redacted_record,
    redaction_add,
    redaction_add_text,
    redaction_change,
    redaction_remove,
    review_progress,
    suggestion_accept,
    suggestion_reject,
    suggestions_accept_all,
    suggestions_for,
    undecided,
    undecided_count,
)
from sar.workflow.messages import OWN_REQUEST
from tests.sar.redaction_support import (  # noqa: F401
    BODY,
    NEIGHBOUR,
    NEIGHBOUR_EMAIL,
    NEIGHBOUR_PHONE,
    NEIGHBOURS_SON,
    SUGGESTED,
    make_record_fixture,
    reviewing_fixture,
    service_case_fixture,
    span_of,
)
from tests.sar.steps import put_case_in

pytestmark = pytest.mark.django_db

OTHER_EXEMPTION = "Crime and taxation: an open police enquiry"


def released(record, case) -> str:
    """The record's text as it would be released, boxes shown as [CODE]."""
    result = redacted_record(record, decisions_for(case).get(record.pk))
    if result.is_withheld:
        return f"[withheld {result.withheld_reason}]"
    return redacted_plain_text(result.body)


def accept(reviewing, caseworker, words, **kwargs):
    start, end = span_of(reviewing.record.body, words)
    return suggestion_accept(
        subject_case=reviewing.case,
        record=reviewing.record,
        field=RedactedField.BODY,
        start=start,
        end=end,
        actor=caseworker,
        **kwargs,
    )


def reject(reviewing, caseworker, words):
    start, end = span_of(reviewing.record.body, words)
    return suggestion_reject(
        subject_case=reviewing.case,
        record=reviewing.record,
        field=RedactedField.BODY,
        start=start,
        end=end,
        actor=caseworker,
    )


def add(reviewing, caseworker, words, occurrence=1, **kwargs):
    kwargs.setdefault("reason_code", ReasonCode.SERIOUS_HARM)
    return redaction_add_text(
        subject_case=reviewing.case,
        record=reviewing.record,
        field=RedactedField.BODY,
        text=words,
        occurrence=occurrence,
        actor=caseworker,
        **kwargs,
    )


# Suggestions -------------------------------------------------------------------


def test_accepting_a_suggestion_redacts_it_and_keeps_the_words_for_the_log(reviewing, caseworker):
    assert undecided_count(reviewing.case) == len(SUGGESTED)

    redaction = accept(reviewing, caseworker, NEIGHBOUR)

    assert redaction.decision == RedactionDecision.ACCEPTED
    assert redaction.source == RedactionSource.SUGGESTED
    assert redaction.reason_code == ReasonCode.THIRD_PARTY
    assert redaction.suggestion_kind == "person"
    assert redaction.excerpt == NEIGHBOUR
    assert redaction.decided_by == caseworker
    assert released(reviewing.record, reviewing.case).startswith("[TP] rang from")
    assert undecided_count(reviewing.case) == len(SUGGESTED) - 1


def selection_digest(reviewing) -> str:
    return SubjectCaseRecord.objects.get(
        subject_case=reviewing.case, record=reviewing.record
    ).decided_digest


def test_a_complete_review_is_remembered_until_a_decision_is_removed(reviewing, caseworker):
    suggestions_accept_all(subject_case=reviewing.case, actor=caseworker)

    assert undecided_count(reviewing.case, remember=True) == 0
    assert selection_digest(reviewing)

    redactions = Redaction.objects.filter(subject_case=reviewing.case)
    redaction = next(r for r in redactions if r.excerpt == NEIGHBOUR)
    redaction_remove(subject_case=reviewing.case, redaction=redaction, actor=caseworker)
    assert undecided_count(reviewing.case, remember=True) == 1


def test_a_withheld_record_is_never_remembered_as_complete(reviewing, caseworker):
    record_withhold(
        subject_case=reviewing.case,
        record=reviewing.record,
        reason_code=ReasonCode.SERIOUS_HARM,
        actor=caseworker,
    )
    assert undecided_count(reviewing.case, remember=True) == 0
    assert selection_digest(reviewing) == ""

    # Released again, with nothing decided: every suggestion is back.
    record_unwithhold(subject_case=reviewing.case, record=reviewing.record, actor=caseworker)
    assert undecided_count(reviewing.case, remember=True) == len(SUGGESTED)


def test_rejecting_a_suggestion_keeps_the_words_and_decides_it(reviewing, caseworker):
    redaction = reject(reviewing, caseworker, NEIGHBOURS_SON)

    assert redaction.decision == RedactionDecision.REJECTED
    assert redaction.reason_code == ""
    assert NEIGHBOURS_SON in released(reviewing.record, reviewing.case)
    left = undecided(
        reviewing.record,
        decisions_for(reviewing.case)[reviewing.record.pk],
        people_for(reviewing.case),
    )
    assert [s.text for s in left[RedactedField.BODY]] == [
        NEIGHBOUR,
        NEIGHBOUR_PHONE,
        NEIGHBOUR_EMAIL,
    ]


def test_deciding_again_changes_the_decision_rather_than_adding_one(reviewing, caseworker):
    reject(reviewing, caseworker, NEIGHBOUR)
    accept(reviewing, caseworker, NEIGHBOUR, reason_code=ReasonCode.SERIOUS_HARM)

    only = Redaction.objects.get()
    assert (only.decision, only.reason_code) == (RedactionDecision.ACCEPTED, "SH")


def test_a_suggestion_that_is_not_there_is_refused(reviewing, caseworker):
    with pytest.raises(RuleViolation, match=NOT_A_SUGGESTION):
        suggestion_accept(
            subject_case=reviewing.case,
            record=reviewing.record,
            field=RedactedField.BODY,
            start=0,
            end=7,  # "Jasmine" alone is not what was suggested
            actor=caseworker,
        )
    assert not Redaction.objects.exists()


@pytest.mark.parametrize("code", ["", "XX"])
def test_a_redaction_needs_a_known_reason(reviewing, caseworker, code):
    with pytest.raises(RuleViolation, match=REASON_REQUIRED):
        accept(reviewing, caseworker, NEIGHBOUR, reason_code=code)
    with pytest.raises(RuleViolation, match=REASON_REQUIRED):
        add(reviewing, caseworker, "lunchtime", reason_code=code)
    assert not Redaction.objects.exists()


def test_other_exemption_needs_the_exemption_in_words(reviewing, caseworker):
    with pytest.raises(RuleViolation, match=REASON_DETAIL_REQUIRED):
        accept(reviewing, caseworker, NEIGHBOUR, reason_code=ReasonCode.OTHER, reason_detail=" ")

    redaction = accept(
        reviewing,
        caseworker,
        NEIGHBOUR,
        reason_code=ReasonCode.OTHER,
        reason_detail=OTHER_EXEMPTION,
    )
    assert redaction.reason_detail == OTHER_EXEMPTION


def test_words_are_kept_only_for_other_exemption(reviewing, caseworker):
    redaction = accept(reviewing, caseworker, NEIGHBOUR, reason_detail="a note")
    assert redaction.reason_detail == ""


def test_accepting_every_suggestion_left_in_a_record(reviewing, caseworker):
    reject(reviewing, caseworker, NEIGHBOURS_SON)

    count = suggestions_accept_all(
        subject_case=reviewing.case, record=reviewing.record, actor=caseworker
    )

    assert count == 3
    assert undecided_count(reviewing.case) == 0
    text = released(reviewing.record, reviewing.case)
    assert NEIGHBOURS_SON in text
    for words in (NEIGHBOUR, NEIGHBOUR_PHONE, NEIGHBOUR_EMAIL):
        assert words not in text
    assert set(
        Redaction.objects.filter(decision=RedactionDecision.ACCEPTED).values_list(
            "reason_code", flat=True
        )
    ) == {"TP"}
    event = AuditEvent.objects.get(action="sar.redaction.suggestions_accepted")
    assert event.data == {
        "record_ids": [reviewing.record.pk],
        "count": 3,
        "reason_code": "TP",
        "scope": "record",
    }


def test_accepting_every_suggestion_in_the_case_leaves_withheld_records_alone(
    reviewing, caseworker, make_record
):
    second = make_record(body=f"Met {NEIGHBOUR} again.")
    withheld = make_record(body=f"{NEIGHBOURS_SON} told us something.")
    records_attach(subject_case=reviewing.case, records=[second, withheld], actor=caseworker)
    record_withhold(
        subject_case=reviewing.case, record=withheld, reason_code="SH", actor=caseworker
    )

    count = suggestions_accept_all(
        subject_case=reviewing.case, actor=caseworker, reason_code=ReasonCode.SERIOUS_HARM
    )

    assert count == len(SUGGESTED) + 1
    assert undecided_count(reviewing.case) == 0
    assert not Redaction.objects.filter(record=withheld, source="suggested").exists()
    assert released(second, reviewing.case) == "Met [SH] again."
    assert released(withheld, reviewing.case) == "[withheld SH]"


# Words chosen by hand ------------------------------------------------------------


def test_words_chosen_by_offsets_leave_out_spaces_at_either_end(reviewing, caseworker):
    start, end = span_of(BODY, "lunchtime club")

    redaction = redaction_add(
        subject_case=reviewing.case,
        record=reviewing.record,
        field=RedactedField.BODY,
        start=start - 1,
        end=end,
        reason_code=ReasonCode.LEGAL_PRIVILEGE,
        actor=caseworker,
    )

    assert (redaction.start, redaction.end) == (start, end)
    assert redaction.excerpt == "lunchtime club"
    assert redaction.source == RedactionSource.MANUAL
    assert "about the [LPP]." in released(reviewing.record, reviewing.case)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (5, 5, SPAN_EMPTY),
        (15, 16, SPAN_EMPTY),  # a single space
        (-1, 4, SPAN_OUTSIDE.format(part="Text")),
        (10, len(BODY) + 1, SPAN_OUTSIDE.format(part="Text")),
        (10, 4, SPAN_OUTSIDE.format(part="Text")),
    ],
)
def test_a_span_must_be_inside_the_text_and_not_empty(reviewing, caseworker, start, end, message):
    with pytest.raises(RuleViolation) as caught:
        redaction_add(
            subject_case=reviewing.case,
            record=reviewing.record,
            field=RedactedField.BODY,
            start=start,
            end=end,
            reason_code="TP",
            actor=caseworker,
        )
    assert caught.value.message == message
    assert not Redaction.objects.exists()


def test_a_span_in_an_empty_part_is_outside_it(reviewing, caseworker):
    with pytest.raises(RuleViolation, match="inside the record's “From”"):
        redaction_add(
            subject_case=reviewing.case,
            record=reviewing.record,
            field=RedactedField.SENDER,
            start=0,
            end=3,
            reason_code="TP",
            actor=caseworker,
        )


def test_words_chosen_by_which_time_they_appear(reviewing, caseworker):
    redaction = add(reviewing, caseworker, " the ", occurrence=2)

    assert (redaction.start, redaction.end) == span_of(BODY, "the", 2)
    assert f"{NEIGHBOURS_SON} was upset at [SH] club." in released(reviewing.record, reviewing.case)


def test_words_not_in_the_text_or_not_that_often_are_refused(reviewing, caseworker):
    with pytest.raises(RuleViolation) as caught:
        add(reviewing, caseworker, "Jasmine Smith")
    assert caught.value.message == TEXT_NOT_FOUND.format(part="Text")

    with pytest.raises(RuleViolation) as caught:
        add(reviewing, caseworker, "the", occurrence=3)
    assert caught.value.message == OCCURRENCE_OUT_OF_RANGE.format(count=2, part="Text")

    with pytest.raises(RuleViolation, match=SPAN_EMPTY):
        add(reviewing, caseworker, "   ")


def test_the_same_words_cannot_be_redacted_twice(reviewing, caseworker):
    add(reviewing, caseworker, "lunchtime")
    with pytest.raises(RuleViolation, match=ALREADY_DECIDED):
        add(reviewing, caseworker, "lunchtime")
    accept(reviewing, caseworker, NEIGHBOUR)
    with pytest.raises(RuleViolation, match=ALREADY_DECIDED):
        add(reviewing, caseworker, NEIGHBOUR)


def test_choosing_a_kept_suggestion_by_hand_redacts_it_after_all(reviewing, caseworker):
    reject(reviewing, caseworker, NEIGHBOUR)

    redaction = add(reviewing, caseworker, NEIGHBOUR)

    assert Redaction.objects.count() == 1
    assert (redaction.decision, redaction.reason_code) == (RedactionDecision.ACCEPTED, "SH")
    assert NEIGHBOUR not in released(reviewing.record, reviewing.case)


def test_overlapping_redactions_become_one_box_with_both_reasons(reviewing, caseworker):
    accept(reviewing, caseworker, NEIGHBOUR)
    add(reviewing, caseworker, "Okonkwo rang")

    assert released(reviewing.record, reviewing.case).startswith("[TP/SH] from")


# Changing and removing --------------------------------------------------------


def test_changing_a_decision(reviewing, caseworker, preparer):
    kept = reject(reviewing, caseworker, NEIGHBOUR)

    changed = redaction_change(
        subject_case=reviewing.case,
        redaction=kept,
        decision=RedactionDecision.ACCEPTED,
        reason_code=ReasonCode.OTHER,
        reason_detail=OTHER_EXEMPTION,
        actor=preparer,
    )

    assert (changed.decision, changed.reason_code) == (RedactionDecision.ACCEPTED, "OE")
    assert changed.decided_by == preparer
    back = redaction_change(
        subject_case=reviewing.case,
        redaction=changed,
        decision=RedactionDecision.REJECTED,
        actor=caseworker,
    )
    assert (back.decision, back.reason_code, back.reason_detail) == ("rejected", "", "")
    event = AuditEvent.objects.filter(action="sar.redaction.changed").order_by("id").last()
    assert event.data["was"] == {"decision": "accepted", "reason_code": "OE"}


def test_words_chosen_by_hand_are_removed_not_kept(reviewing, caseworker):
    manual = add(reviewing, caseworker, "lunchtime")

    with pytest.raises(RuleViolation, match=ONLY_SUGGESTIONS_KEPT):
        redaction_change(
            subject_case=reviewing.case,
            redaction=manual,
            decision=RedactionDecision.REJECTED,
            actor=caseworker,
        )
    redaction_remove(subject_case=reviewing.case, redaction=manual, actor=caseworker)

    assert not Redaction.objects.exists()
    assert released(reviewing.record, reviewing.case) == BODY


def test_removing_a_suggestions_decision_makes_it_undecided_again(reviewing, caseworker):
    decided = accept(reviewing, caseworker, NEIGHBOUR)
    assert undecided_count(reviewing.case) == len(SUGGESTED) - 1

    redaction_remove(subject_case=reviewing.case, redaction=decided, actor=caseworker)

    assert undecided_count(reviewing.case) == len(SUGGESTED)


def test_a_decision_of_another_case_cannot_be_changed_from_this_one(
    reviewing, caseworker, submit, make_record
):
    other = submit().cases.get()
    records_attach(subject_case=other, records=[reviewing.record], actor=caseworker)
    put_case_in(other, CaseStatus.IN_PROGRESS)
    theirs = suggestion_accept(
        subject_case=other,
        record=reviewing.record,
        field="body",
        start=0,
        end=len(NEIGHBOUR),
        actor=caseworker,
    )

    with pytest.raises(NotPermitted, match=NOT_THIS_CASE):
        redaction_remove(subject_case=reviewing.case, redaction=theirs, actor=caseworker)
    with pytest.raises(NotPermitted, match=NOT_THIS_CASE):
        redaction_change(
            subject_case=reviewing.case, redaction=theirs, reason_code="SH", actor=caseworker
        )
    assert Redaction.objects.filter(pk=theirs.pk).exists()
    # Decisions belong to one subject case: this one still has all undecided.
    assert undecided_count(reviewing.case) == len(SUGGESTED)


# Whole records ------------------------------------------------------------------


def test_withholding_a_whole_record_and_releasing_it_again(reviewing, caseworker):
    accept(reviewing, caseworker, NEIGHBOUR)
    with pytest.raises(RuleViolation, match=REASON_REQUIRED):
        record_withhold(
            subject_case=reviewing.case, record=reviewing.record, reason_code="", actor=caseworker
        )

    row = record_withhold(
        subject_case=reviewing.case, record=reviewing.record, reason_code="SH", actor=caseworker
    )

    assert row.source == RedactionSource.WHOLE_RECORD and row.excerpt == ""
    result = redacted_record(reviewing.record, decisions_for(reviewing.case)[reviewing.record.pk])
    assert result.is_withheld and result.withheld_reason == "SH"
    assert result.body == []
    assert undecided_count(reviewing.case) == 0
    with pytest.raises(RuleViolation, match=RECORD_WITHHELD):
        add(reviewing, caseworker, "lunchtime")

    again = record_withhold(
        subject_case=reviewing.case, record=reviewing.record, reason_code="LPP", actor=caseworker
    )
    assert again.pk == row.pk and again.reason_code == "LPP"

    record_unwithhold(subject_case=reviewing.case, record=reviewing.record, actor=caseworker)
    assert released(reviewing.record, reviewing.case).startswith("[TP] rang")
    with pytest.raises(RuleViolation, match=NOT_WITHHELD):
        record_unwithhold(subject_case=reviewing.case, record=reviewing.record, actor=caseworker)


# Who and when --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [roles.APPROVER, roles.SAFEGUARDING_LEAD, roles.ADMINISTRATOR, "Content editor", None]
)
def test_only_caseworkers_decide(reviewing, make_user, parent, role):
    actor = make_user(role) if role else parent
    decisions = [
        lambda: accept(reviewing, actor, NEIGHBOUR),
        lambda: reject(reviewing, actor, NEIGHBOUR),
        lambda: add(reviewing, actor, "lunchtime"),
        lambda: suggestions_accept_all(subject_case=reviewing.case, actor=actor),
        lambda: record_withhold(
            subject_case=reviewing.case, record=reviewing.record, reason_code="SH", actor=actor
        ),
        lambda: record_unwithhold(
            subject_case=reviewing.case, record=reviewing.record, actor=actor
        ),
    ]
    for decide in decisions:
        with pytest.raises(NotPermitted, match=NOT_CASEWORKER):
            decide()
    assert not may_decide(subject_case=reviewing.case, actor=actor)
    assert not Redaction.objects.exists()


def test_a_caseworker_cannot_redact_their_own_request(reviewing, parent, groups):
    parent.groups.add(groups[roles.CASEWORKER])

    with pytest.raises(NotPermitted, match=OWN_REQUEST):
        accept(reviewing, parent, NEIGHBOUR)


@pytest.mark.parametrize(
    "status", [s for s in CaseStatus.values if s not in REDACTION_OPEN_STATUSES]
)
def test_redaction_is_closed_outside_work_and_review(reviewing, caseworker, status):
    accepted = accept(reviewing, caseworker, NEIGHBOUR)
    put_case_in(reviewing.case, status)
    closed = REDACTION_CLOSED.format(status=CaseStatus(status).label)

    for decide in (
        lambda: accept(reviewing, caseworker, NEIGHBOUR_PHONE),
        lambda: add(reviewing, caseworker, "lunchtime"),
        lambda: redaction_remove(subject_case=reviewing.case, redaction=accepted, actor=caseworker),
        lambda: record_withhold(
            subject_case=reviewing.case, record=reviewing.record, reason_code="SH", actor=caseworker
        ),
    ):
        with pytest.raises(RuleViolation) as caught:
            decide()
        assert caught.value.message == closed
    assert not may_decide(subject_case=reviewing.case, actor=caseworker)
    assert list(Redaction.objects.all()) == [accepted]


def test_redaction_is_open_while_in_progress(reviewing, caseworker):
    put_case_in(reviewing.case, CaseStatus.IN_PROGRESS)

    assert may_decide(subject_case=reviewing.case, actor=caseworker)
    accept(reviewing, caseworker, NEIGHBOUR)


def test_only_records_in_the_response_are_redacted(reviewing, caseworker, make_record):
    not_chosen = make_record()
    confidential = make_record(shared_in_confidence_by_child=True)
    records_attach(subject_case=reviewing.case, records=[confidential], actor=caseworker)

    for record in (not_chosen, confidential):
        with pytest.raises(RuleViolation, match=RECORD_NOT_IN_SCOPE):
            record_withhold(
                subject_case=reviewing.case, record=record, reason_code="SH", actor=caseworker
            )

    record_include_confidential(record=confidential, reason="She agreed.", actor=caseworker)
    record_withhold(
        subject_case=reviewing.case, record=confidential, reason_code="SH", actor=caseworker
    )


# The record's text changed ----------------------------------------------------


def test_a_decision_on_words_that_moved_is_stale_until_decided_again(reviewing, caseworker):
    decided = accept(reviewing, caseworker, NEIGHBOUR)
    kept = reject(reviewing, caseworker, NEIGHBOURS_SON)
    Record.objects.filter(pk=reviewing.record.pk).update(body="Note: " + BODY)
    record = Record.objects.get(pk=reviewing.record.pk)

    decisions = decisions_for(reviewing.case)[record.pk]
    with pytest.raises(StaleRedaction):
        redacted_record(record, decisions)
    progress = review_progress(reviewing.case)
    assert progress.stale == 1
    assert progress.records[0].stale == 2
    assert not progress.records[0].reviewed
    # Old decisions decide nothing any more: every suggestion is open again.
    assert undecided_count(reviewing.case) == len(SUGGESTED)
    with pytest.raises(RuleViolation, match=DECISION_STALE):
        redaction_change(
            subject_case=reviewing.case, redaction=decided, reason_code="SH", actor=caseworker
        )

    for row in (decided, kept):
        redaction_remove(subject_case=reviewing.case, redaction=row, actor=caseworker)
    suggestions_accept_all(subject_case=reviewing.case, actor=caseworker)
    text = released(record, reviewing.case)
    assert text.startswith("Note: [TP] rang")
    assert review_progress(reviewing.case).complete


def test_a_new_decision_replaces_a_stale_one_at_the_same_place(reviewing, caseworker):
    accept(reviewing, caseworker, NEIGHBOUR)
    Record.objects.filter(pk=reviewing.record.pk).update(
        body=BODY.replace(NEIGHBOUR, NEIGHBOUR[::-1].title()[: len(NEIGHBOUR)])
    )
    reviewing.record.refresh_from_db()

    redaction = add(reviewing, caseworker, reviewing.record.body[: len(NEIGHBOUR)])

    assert Redaction.objects.count() == 1
    assert redaction.excerpt == reviewing.record.body[: len(NEIGHBOUR)]
    assert redaction.source == RedactionSource.MANUAL


# Progress -----------------------------------------------------------------------


def test_review_progress_counts_records_suggestions_and_withheld(
    reviewing, caseworker, make_record
):
    plain = make_record(body="Called back, no answer.")
    withheld = make_record()
    records_attach(subject_case=reviewing.case, records=[plain, withheld], actor=caseworker)
    record_withhold(
        subject_case=reviewing.case, record=withheld, reason_code="SH", actor=caseworker
    )
    accept(reviewing, caseworker, NEIGHBOUR)
    reject(reviewing, caseworker, NEIGHBOURS_SON)

    progress = review_progress(reviewing.case)

    assert (progress.total, progress.reviewed, progress.undecided) == (3, 2, 2)
    assert (progress.redacted, progress.withheld, progress.stale) == (1, 1, 0)
    first = progress.for_record(reviewing.record.pk)
    assert (first.undecided, first.redacted, first.kept, first.reviewed) == (2, 1, 1, False)
    assert not progress.complete


# The audit trail --------------------------------------------------------------


def test_every_decision_is_audited_with_ids_and_codes_but_never_the_words(reviewing, caseworker):
    accepted = accept(
        reviewing, caseworker, NEIGHBOUR, reason_code="OE", reason_detail=OTHER_EXEMPTION
    )
    reject(reviewing, caseworker, NEIGHBOURS_SON)
    manual = add(reviewing, caseworker, "lunchtime club")
    redaction_change(
        subject_case=reviewing.case, redaction=accepted, reason_code="SH", actor=caseworker
    )
    redaction_remove(subject_case=reviewing.case, redaction=manual, actor=caseworker)
    suggestions_accept_all(subject_case=reviewing.case, actor=caseworker)
    record_withhold(
        subject_case=reviewing.case, record=reviewing.record, reason_code="LPP", actor=caseworker
    )
    record_unwithhold(subject_case=reviewing.case, record=reviewing.record, actor=caseworker)

    events = list(AuditEvent.objects.filter(action__startswith="sar.redaction.").order_by("id"))
    assert [e.action for e in events] == [
        "sar.redaction.suggestion_accepted",
        "sar.redaction.suggestion_rejected",
        "sar.redaction.added",
        "sar.redaction.changed",
        "sar.redaction.removed",
        "sar.redaction.suggestions_accepted",
        "sar.redaction.record_withheld",
        "sar.redaction.record_released",
    ]
    assert all(e.actor == caseworker for e in events)
    assert all(e.object_id == str(reviewing.case.pk) for e in events)
    first = events[0].data
    assert first["record_id"] == reviewing.record.pk
    assert (first["field"], first["start"], first["end"]) == ("body", 0, len(NEIGHBOUR))
    assert (first["reason_code"], first["kind"]) == ("OE", "person")
    dumped = json.dumps([e.data for e in events]) + "".join(e.reason for e in events)
    for words in (*SUGGESTED, "lunchtime", OTHER_EXEMPTION, "Crime"):
        assert words not in dumped


def test_released_segments_never_hold_the_words(reviewing, caseworker):
    suggestions_accept_all(subject_case=reviewing.case, actor=caseworker)

    result = redacted_record(reviewing.record, decisions_for(reviewing.case)[reviewing.record.pk])

    kept = "".join(s.text for s in result.body if isinstance(s, KeptText))
    assert [s.label for s in result.body if isinstance(s, RedactionMarker)] == ["TP"] * 4
    for words in SUGGESTED:
        assert words not in kept


def test_a_change_or_removal_after_a_moment_is_noticed(reviewing, caseworker):
    with time_machine.travel("2025-01-10 10:00 +0000", tick=False):
        kept = reject(reviewing, caseworker, NEIGHBOUR)
    since = dt.datetime(2025, 1, 10, 11, 0, tzinfo=dt.UTC)
    assert not decisions_changed_since(reviewing.case, since)

    with time_machine.travel("2025-01-10 12:00 +0000", tick=False):
        redaction_remove(subject_case=reviewing.case, redaction=kept, actor=caseworker)
    assert decisions_changed_since(reviewing.case, since)
    assert not Redaction.objects.exists()


def test_the_requesters_own_email_address_is_never_suggested(reviewing, make_record):
    requester = reviewing.case.request.requester
    record = make_record(
        body=f"She wrote from {requester.email.upper()} and copied in gp.surgery@example.net."
    )
    found = suggestions_for(record, people_for(reviewing.case))[RedactedField.BODY]
    assert [s.text for s in found] == ["gp.surgery@example.net"]
