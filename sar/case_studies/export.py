"""Who may make a case study, of which cases, and the two acts: previewing
and exporting. Both read the whole case file, so both are audit events with
the purpose, their ``data`` ids and counts only.

Who: caseworkers (they know the cases worth teaching from) and administrators
(they run the service's training). Approvers and safeguarding leads check
and protect cases rather than write training material, and a content editor
never sees case files. Nobody makes a case study of their own case.

Which cases: any service case, except one whose service user has a request on
safeguarding hold. Such a case is left out of the list and its URL is a 404
for everyone, so a caseworker who may not know of the hold learns nothing.

Each preview and each export moves the dates by a fresh random number of weeks
(``random_offset``), never shown: two exports of one case cannot be lined up
against each other, and the preview does not give away the export's offset.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from portal.audit.events import record
from sar import deadlines, roles
from sar.exceptions import NotPermitted
from sar.models import CaseStatus, SafeguardingHold, ServiceCase, SubjectCase

from .study import CaseStudy, build_case_study, case_study_document

CASE_STUDY_ROLES = (roles.CASEWORKER, roles.ADMINISTRATOR)
# Why staff read a case file here, recorded with every preview and export.
CASE_STUDY_PURPOSE = "Preparing an anonymised case study for training"
NOT_PERMITTED = "Only caseworkers and administrators can make case studies."
NOT_AVAILABLE = "This case cannot be used for a case study."

# Dates move back by six months to three years, in whole weeks.
MIN_OFFSET_WEEKS = 26
MAX_OFFSET_WEEKS = 156


def may_make_case_studies(user) -> bool:
    return roles.has_any_role(user, CASE_STUDY_ROLES)


def random_offset() -> dt.timedelta:
    """A fresh offset for one preview or export: back by a random number of weeks."""
    weeks = secrets.SystemRandom().randint(MIN_OFFSET_WEEKS, MAX_OFFSET_WEEKS)
    return -dt.timedelta(weeks=weeks)


def service_cases_for_case_studies(viewer) -> QuerySet[ServiceCase]:
    """The service cases ``viewer`` may make a case study of, newest first,
    with their record and child counts (none for anyone who may not)."""
    if not may_make_case_studies(viewer):
        return ServiceCase.objects.none()
    held = SubjectCase.objects.filter(status=CaseStatus.ON_HOLD).values("request__requester_id")
    # A standing hold on a service case itself keeps it out too (and so unsaid).
    held_cases = SafeguardingHold.objects.filter(
        service_case__isnull=False, lifted_at__isnull=True
    ).values("service_case_id")
    return (
        ServiceCase.objects.exclude(service_user=viewer)
        .exclude(service_user__in=held)
        .exclude(pk__in=held_cases)
        .select_related("caseworker")
        .annotate(
            record_count=Count("records", distinct=True),
            child_count=Count("children", distinct=True),
        )
        .order_by("-opened_on", "-id")
    )


def service_case_for_case_study(viewer, pk) -> ServiceCase:
    """One case ``viewer`` may use; ``Http404`` for any other."""
    try:
        return service_cases_for_case_studies(viewer).get(pk=pk)
    except (ServiceCase.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case.") from None


def _check(actor, case: ServiceCase) -> None:
    if not may_make_case_studies(actor):
        raise NotPermitted(NOT_PERMITTED)
    if not service_cases_for_case_studies(actor).filter(pk=case.pk).exists():
        raise NotPermitted(NOT_AVAILABLE)


def _audit_data(study: CaseStudy, extra_terms: tuple[str, ...]) -> dict:
    # Counts only: what was found is the personal data being removed.
    return {
        "records": len(study.records),
        "people": len(study.cast),
        "replaced": study.counts_by_kind(),
        "extra_terms": len(extra_terms),
    }


def case_study_preview(
    *, case: ServiceCase, actor, extra_terms: Iterable[str] = (), request=None
) -> CaseStudy:
    """The case study with what changed, for the staff preview."""
    _check(actor, case)
    terms = tuple(extra_terms)
    study = build_case_study(case=case, offset=random_offset(), extra_terms=terms)
    record(
        action="sar.case_study.viewed",
        actor=actor,
        obj=case,
        reason=CASE_STUDY_PURPOSE,
        request=request,
        data=_audit_data(study, terms),
    )
    return study


@dataclass(frozen=True)
class CaseStudyFile:
    filename: str
    content: str
    content_type: str = "text/plain; charset=utf-8"


def case_study_export(
    *, case: ServiceCase, actor, extra_terms: Iterable[str] = (), request=None
) -> CaseStudyFile:
    """The case study as the document staff download (``case_study_document``)."""
    _check(actor, case)
    terms = tuple(extra_terms)
    study = build_case_study(case=case, offset=random_offset(), extra_terms=terms)
    content = case_study_document(study)
    record(
        action="sar.case_study.exported",
        actor=actor,
        obj=case,
        reason=CASE_STUDY_PURPOSE,
        request=request,
        data=_audit_data(study, terms),
    )
    # Named for the day it was made: nothing about the case in the name.
    return CaseStudyFile(filename=f"case-study-{deadlines.today():%Y-%m-%d}.txt", content=content)
