"""Redaction: detectors that suggest spans to redact, and the redacted form of a text.

Pure functions over text, no models: the caseworker's screens, the bundle task and
the tests all call these. Every detector returns ``Suggestion`` spans; ``suggest``
runs them all and returns sorted, non-overlapping spans (overlaps merged, the
longest naming the result). ``apply_redactions`` turns a text and the accepted
spans into kept text and reason-only markers, so redacted words never reach HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .codes import ReasonCode, SuggestionKind
from .dates import find_other_dates_of_birth
from .identifiers import (
    find_emails,
    find_nhs_numbers,
    find_ni_numbers,
    find_phone_numbers,
    find_postcodes,
    find_upns,
    nhs_number_is_valid,
    upn_check_letter,
    upn_is_valid,
)
from .people import KnownPerson, find_people
from .spans import (
    KeptText,
    RedactionMarker,
    Segment,
    Span,
    Suggestion,
    apply_redactions,
    merge_suggestions,
    redacted_plain_text,
)

__all__ = [
    "KeptText",
    "KnownPerson",
    "ReasonCode",
    "RedactionMarker",
    "Segment",
    "Span",
    "Suggestion",
    "SuggestionKind",
    "apply_redactions",
    "find_emails",
    "find_ni_numbers",
    "find_nhs_numbers",
    "find_other_dates_of_birth",
    "find_people",
    "find_phone_numbers",
    "find_postcodes",
    "find_upns",
    "merge_suggestions",
    "nhs_number_is_valid",
    "redacted_plain_text",
    "suggest",
    "upn_check_letter",
    "upn_is_valid",
]


def suggest(
    text: str,
    *,
    people: Iterable[KnownPerson],
    subject_dob: dt.date | Iterable[dt.date] | None = None,
    subjects: Iterable[KnownPerson] = (),
) -> list[Suggestion]:
    """Every detector over ``text``: sorted, non-overlapping suggestions.

    ``people`` are the known third parties on the case; ``subjects`` (optional) are
    the people the request is about and the requester, whose names are never
    suggested; ``subject_dob`` is their date (or dates) of birth, never suggested.
    """
    found: list[Suggestion] = []
    found += find_people(text, people, subjects=subjects)
    found += find_emails(text)
    found += find_phone_numbers(text)
    found += find_postcodes(text)
    found += find_ni_numbers(text)
    found += find_nhs_numbers(text)
    found += find_upns(text)
    found += find_other_dates_of_birth(text, subject_dob=subject_dob)
    return merge_suggestions(text, found)
