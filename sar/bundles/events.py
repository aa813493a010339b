"""What a bundle's audit events carry: identifiers and counts, never a
record's words or anyone's name."""

from __future__ import annotations

from sar.models import Bundle, SubjectCase

# Why staff and the parent open the PDF, recorded with each audit event.
STAFF_VIEW_PURPOSE = "Checking the bundle before it is released"
PARENT_DOWNLOAD_PURPOSE = "The requester downloaded their records"


def audit_data(bundle: Bundle, case: SubjectCase, **extra) -> dict:
    return {
        "request": case.request.reference,
        "case": case.pk,
        "generation": bundle.generation,
        **extra,
    }
