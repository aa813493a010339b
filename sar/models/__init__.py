"""The right of access: children and parental responsibility, requests with
their statutory clock, one case per person a request is about, the timeline,
and consent-to-disclose records.

Invariants the database can hold are constraints here (each says why); rules
that need more than one row, the clock or the actor live in ``sar.workflow``,
``sar.clock`` and ``sar.consent``. Fields holding personal data are listed in
``sar.personal_data``.
"""

from sar.models.bundles import Bundle, BundleStatus
from sar.models.cases import (
    ANSWERED_STATUSES,
    TERMINAL_STATUSES,
    CaseStatus,
    ConsentStatus,
    SubjectCase,
    SubjectKind,
    TimelineEntry,
)
from sar.models.children import Child, Relationship
from sar.models.consents import ConsentMethod, ConsentToDisclose
from sar.models.holds import HoldExemption, SafeguardingHold
from sar.models.records import (
    Person,
    Record,
    RecordKind,
    ServiceCase,
    SubjectCaseRecord,
)
from sar.models.redactions import (
    RedactedField,
    Redaction,
    RedactionDecision,
    RedactionSource,
)
from sar.models.requests import (
    AccessRequest,
    Adjustment,
    Delivery,
    ReferenceCounter,
    Scope,
)
from sar.models.retention import DisposalDue, DisposalRule, DisposalTombstone

__all__ = [
    "ANSWERED_STATUSES",
    "TERMINAL_STATUSES",
    "AccessRequest",
    "Adjustment",
    "Bundle",
    "BundleStatus",
    "CaseStatus",
    "Child",
    "ConsentMethod",
    "ConsentStatus",
    "ConsentToDisclose",
    "Delivery",
    "DisposalDue",
    "DisposalRule",
    "DisposalTombstone",
    "HoldExemption",
    "Person",
    "Record",
    "RecordKind",
    "RedactedField",
    "Redaction",
    "RedactionDecision",
    "RedactionSource",
    "ReferenceCounter",
    "Relationship",
    "SafeguardingHold",
    "Scope",
    "ServiceCase",
    "SubjectCase",
    "SubjectCaseRecord",
    "SubjectKind",
    "TimelineEntry",
]
