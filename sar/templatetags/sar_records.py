"""The "Records and redaction" section of the staff case page: counts and
links, no record's contents (``{% records_summary case %}``)."""

from django import template
from django.urls import reverse

from sar.models import Record, SubjectCaseRecord
from sar.redactions import review_progress

register = template.Library()


@register.inclusion_tag("sar/admin/records_summary.html")
def records_summary(case):
    return {
        "case": case,
        "chosen": SubjectCaseRecord.objects.filter(subject_case=case).count(),
        "confidential_undecided": Record.objects.filter(
            selections__subject_case=case,
            shared_in_confidence_by_child=True,
            decided_at__isnull=True,
        ).count(),
        "progress": review_progress(case),
        "records_url": reverse("sar_admin:case_records", args=[case.pk]),
        "redaction_url": reverse("sar_admin:redaction", args=[case.pk]),
        "log_url": reverse("sar_admin:redaction_log", args=[case.pk]),
    }
