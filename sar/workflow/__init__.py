"""The subject case workflow: the transition table (``table``), one function
per step (``cases`` for staff steps on one case, ``requests`` for steps on a
whole request), and the shared machinery (``engine``). Import from here."""

from sar.exceptions import InvalidTransition, NotPermitted, RuleViolation
from sar.workflow.cases import (
    case_approve,
    case_assign,
    case_close,
    case_lift_hold,
    case_place_hold,
    case_receive_evidence,
    case_record_child_views,
    case_record_young_person_consent,
    case_refuse,
    case_release,
    case_reopen,
    case_request_clarification,
    case_request_evidence,
    case_return,
    case_start,
    case_submit_for_approval,
    case_submit_for_review,
    check_release_rules,
)
from sar.workflow.requests import (
    request_answer_clarification,
    request_extend,
    request_submit,
    request_withdraw,
)
from sar.workflow.table import (
    ACTIONS,
    TRANSITIONS,
    TRANSITIONS_BY_NAME,
    Transition,
    allowed_actions,
    allowed_transitions,
    parent_status_label,
)

# The staff step functions by transition name, for a screen that posts the
# name of the button pressed and a reason: ``CASE_STEPS[name](case=..., actor=...,
# reason=...)``. The parent's steps (answer_clarification, withdraw) act on a
# whole request and are called directly.
CASE_STEPS = {
    "request_evidence": case_request_evidence,
    "receive_evidence": case_receive_evidence,
    "start": case_start,
    "request_clarification": case_request_clarification,
    "submit_for_review": case_submit_for_review,
    "submit_for_approval": case_submit_for_approval,
    "return": case_return,
    "reopen": case_reopen,
    "approve": case_approve,
    "release": case_release,
    "close": case_close,
    "refuse": case_refuse,
    "place_hold": case_place_hold,
    "lift_hold": case_lift_hold,
}

__all__ = [
    "ACTIONS",
    "CASE_STEPS",
    "TRANSITIONS",
    "TRANSITIONS_BY_NAME",
    "InvalidTransition",
    "NotPermitted",
    "RuleViolation",
    "Transition",
    "allowed_actions",
    "allowed_transitions",
    "case_approve",
    "case_assign",
    "case_close",
    "case_lift_hold",
    "case_place_hold",
    "case_receive_evidence",
    "case_record_child_views",
    "case_record_young_person_consent",
    "case_refuse",
    "case_release",
    "case_reopen",
    "case_request_clarification",
    "case_request_evidence",
    "case_return",
    "case_start",
    "case_submit_for_approval",
    "case_submit_for_review",
    "check_release_rules",
    "parent_status_label",
    "request_answer_clarification",
    "request_extend",
    "request_submit",
    "request_withdraw",
]
