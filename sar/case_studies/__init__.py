"""Anonymised case studies: "cases may be ... used as case studies ... SENDIASS
will ensure that any identifying details will be removed" (the
confidentiality code).

- ``cast``: everyone on the case and their role pseudonym ("Parent A",
  "Child A", "Teacher 1", "SENCo 1").
- ``anonymise``: one text made anonymous, with what was found and what it
  became (the redaction detectors, the case's people, schools, addresses,
  moved dates, words staff add).
- ``dates``, ``detectors``: moving dates; finding schools and addresses.
- ``study``: a service case as a case study, and the document staff download.
- ``export``: who may, which cases, and the audited preview and export.
"""

from .anonymise import PLACEHOLDERS, AnonymisedText, Anonymiser, Piece, ReplacementKind
from .cast import CastMember, build_cast, role_stem
from .detectors import clean_extra_terms
from .export import (
    CASE_STUDY_PURPOSE,
    CASE_STUDY_ROLES,
    NOT_AVAILABLE,
    NOT_PERMITTED,
    CaseStudyFile,
    case_study_export,
    case_study_preview,
    may_make_case_studies,
    random_offset,
    service_case_for_case_study,
    service_cases_for_case_studies,
)
from .study import CaseStudy, StudyRecord, build_case_study, case_study_document, plain_text

__all__ = [
    "CASE_STUDY_PURPOSE",
    "CASE_STUDY_ROLES",
    "NOT_AVAILABLE",
    "NOT_PERMITTED",
    "PLACEHOLDERS",
    "AnonymisedText",
    "Anonymiser",
    "CaseStudy",
    "CaseStudyFile",
    "CastMember",
    "Piece",
    "ReplacementKind",
    "StudyRecord",
    "build_case_study",
    "build_cast",
    "case_study_document",
    "case_study_export",
    "case_study_preview",
    "clean_extra_terms",
    "may_make_case_studies",
    "plain_text",
    "random_offset",
    "role_stem",
    "service_case_for_case_study",
    "service_cases_for_case_studies",
]
