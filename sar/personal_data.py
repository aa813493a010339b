"""Which fields of the ``sar`` models hold personal data (STYLE.md §10).

Retention, anonymisation and case-study export read ``PERSONAL_DATA``; every
text, date and JSON field of these models is listed either here or in
``NOT_PERSONAL`` (with why), and ``tests/sar/test_personal_data.py`` fails when
a new one is in neither, so a field cannot be forgotten.

Foreign keys to users and children are links to people rather than data in
their own right: disposing of the person disposes of the link.
"""

PERSONAL_DATA: dict[str, tuple[str, ...]] = {
    "sar.Child": (
        "full_name",
        "date_of_birth",
        "school_or_setting",
        "relationship",  # says who the parent is to the child
        "relationship_other",
        "court_order",
        "left_education_on",
    ),
    "sar.AccessRequest": (
        "date_from",  # with topics, says what the parent is looking for
        "date_to",
        "topics",
        "adjustments",  # may reveal a disability or a first language
        "interpreter_language",
        "adjustment_other",
        "extension_reason",
    ),
    "sar.SubjectCase": (
        "competence_notes",
        "child_views",
        "refusal_reason",
    ),
    "sar.TimelineEntry": (
        # Carries reasons, questions and the parent's answers.
        "message",
    ),
    "sar.ConsentToDisclose": (
        "consent_given_by",
        "what_information",
        "recipient",
        "purpose",
    ),
    "sar.ServiceCase": (
        # When someone used the service says that they did.
        "opened_on",
        "closed_on",
    ),
    "sar.Person": ("full_name", "aliases", "role"),
    "sar.Record": (
        # Encrypted at rest (sar.encryption), except the date.
        "date",
        "body",
        "sender",
        "recipients",
        "attachment",
        "include_confidential_decision",
    ),
    # Encrypted at rest: the words held back, and the exemption in words.
    "sar.Redaction": ("excerpt", "reason_detail"),
    # The PDF itself (encrypted at rest) and why staff revoked it.
    "sar.Bundle": ("file", "revoke_reason"),
    # Encrypted at rest: the concern, and the decision to lift the hold.
    "sar.SafeguardingHold": ("reason", "decision"),
    # Worked out from the children's dates of birth and when they left education.
    "sar.DisposalDue": ("due_on",),
}

NOT_PERSONAL: dict[str, tuple[str, ...]] = {
    "sar.Child": ("created_at",),
    "sar.AccessRequest": (
        # Identifiers, choices and the statutory clock: about the request,
        # not the person.
        "reference",
        "scope",
        "delivery",
        "acknowledged_at",
        "received_at",
        "clock_started_on",
        "paused_since",
        "extension_notified_on",
        "due_on",
        "created_at",
    ),
    "sar.SubjectCase": (
        "kind",
        "status",
        "held_from_status",
        "consent_status",
        "approved_at",
        "competence_recorded_at",
        "consent_recorded_at",
        "closed_at",
        "created_at",
        "updated_at",
    ),
    "sar.TimelineEntry": ("kind", "at"),
    "sar.ConsentToDisclose": (
        "given_on",
        "method",
        "expires_on",
        "withdrawn_at",
        "created_at",
    ),
    "sar.ReferenceCounter": (),
    "sar.Record": (
        "kind",
        "title",  # a generic label by rule; names go in the body
        "decided_at",
        "created_at",
    ),
    "sar.SubjectCaseRecord": ("added_at", "decided_digest"),
    "sar.Redaction": (
        "source",
        "field",
        "suggestion_kind",
        "decision",
        "reason_code",
        "decided_at",
    ),
    "sar.Bundle": (
        # The job's bookkeeping: a staff-facing reason never quotes a record.
        "status",
        "task_id",
        "error",
        "sha256",
        "requested_at",
        "started_at",
        "finished_at",
        "available_until",
        "revoked_at",
    ),
    "sar.SafeguardingHold": (
        # A choice naming a paragraph of the Act, and when: not who or why.
        "exemption",
        "placed_at",
        "lifted_at",
    ),
    "sar.DisposalDue": ("rule", "listed_at", "checked_at"),
    # What is left after disposal, linked to nobody: a number, references,
    # two dates, counts and the member of staff who confirmed it.
    "sar.DisposalTombstone": (
        "references",
        "opened_on",
        "closed_on",
        "rule",
        "counts",
        "confirmed_at",
    ),
}


def personal_fields(model) -> tuple[str, ...]:
    """The personal-data field names of ``model`` (a model class or instance)."""
    return PERSONAL_DATA.get(model._meta.label, ())
