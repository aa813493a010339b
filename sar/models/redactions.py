"""What a caseworker decided to hold back from a subject case's response:
spans of a record's text (suggested by ``sar.redaction`` or chosen by hand),
or a whole record, each with the reason printed in the bundle's black box.

These rows are the service's redaction log: who decided what, when, and why.
The log is kept for the service and is never released; the words a span
covered (``excerpt``) are stored encrypted, like the record itself, so the
log can show what was held back and so a bundle can refuse to use a span whose
record text has changed since it was reviewed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sar.encryption import EncryptedTextField
from sar.models.cases import SubjectCase
from sar.models.records import Record
from sar.redaction.codes import ReasonCode, SuggestionKind


class RedactedField(models.TextChoices):
    """The parts of a record a span can be in (the title is a generic label)."""

    BODY = "body", _("Text")
    SENDER = "sender", _("From")
    RECIPIENTS = "recipients", _("To")


class RedactionSource(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    MANUAL = "manual", _("Chosen by hand")
    WHOLE_RECORD = "whole_record", _("Whole record withheld")


class RedactionDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Redact")
    REJECTED = "rejected", _("Keep")


class Redaction(models.Model):
    """One decision about one span of one record (or a whole record) in one
    subject case's response. A rejected suggestion is kept too, so it is not
    suggested again and the log shows who decided to leave it in."""

    subject_case = models.ForeignKey(
        SubjectCase,
        on_delete=models.CASCADE,
        related_name="redactions",
        verbose_name=_("subject case"),
    )
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="redactions", verbose_name=_("record")
    )
    source = models.CharField(_("source"), max_length=20, choices=RedactionSource.choices)
    # Empty for a whole record.
    field = models.CharField(_("part"), max_length=20, choices=RedactedField.choices, blank=True)
    start = models.PositiveIntegerField(_("from character"), null=True, blank=True)
    end = models.PositiveIntegerField(_("to character"), null=True, blank=True)
    suggestion_kind = models.CharField(
        _("what was found"), max_length=20, choices=SuggestionKind.choices, blank=True
    )
    decision = models.CharField(
        _("decision"),
        max_length=20,
        choices=RedactionDecision.choices,
        default=RedactionDecision.ACCEPTED,
    )
    reason_code = models.CharField(
        _("reason"), max_length=5, choices=ReasonCode.choices, blank=True
    )
    # The exemption relied on, in words: required for "other exemption".
    reason_detail = EncryptedTextField(_("exemption relied on"), blank=True)
    excerpt = EncryptedTextField(_("text held back"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["record__date", "record_id", "field", "start", "id"]
        verbose_name = _("redaction")
        verbose_name_plural = _("redactions")
        constraints = [
            # A whole record has no span; a span has a part and a real extent.
            models.CheckConstraint(
                condition=Q(
                    source=RedactionSource.WHOLE_RECORD,
                    field="",
                    start__isnull=True,
                    end__isnull=True,
                )
                | (
                    ~Q(source=RedactionSource.WHOLE_RECORD)
                    & ~Q(field="")
                    & Q(start__isnull=False, end__gt=models.F("start"))
                ),
                name="sar_redaction_span_or_whole_record",
            ),
            # Everything held back says why.
            models.CheckConstraint(
                condition=Q(decision=RedactionDecision.REJECTED) | ~Q(reason_code=""),
                name="sar_redaction_accepted_has_reason",
            ),
            # Only a suggestion can be turned down; a manual span is deleted instead.
            models.CheckConstraint(
                condition=Q(decision=RedactionDecision.ACCEPTED)
                | Q(source=RedactionSource.SUGGESTED),
                name="sar_redaction_only_suggestions_rejected",
            ),
            models.UniqueConstraint(
                fields=["subject_case", "record", "field", "start", "end"],
                condition=~Q(source=RedactionSource.WHOLE_RECORD),
                name="sar_redaction_one_decision_per_span",
            ),
            models.UniqueConstraint(
                fields=["subject_case", "record"],
                condition=Q(source=RedactionSource.WHOLE_RECORD),
                name="sar_redaction_one_withholding_per_record",
            ),
        ]
        indexes = [
            models.Index(fields=["subject_case", "record"], name="sar_redaction_case_record"),
        ]

    def __str__(self):
        if self.source == RedactionSource.WHOLE_RECORD:
            return f"Record {self.record_id} withheld ({self.reason_code})"
        return f"Record {self.record_id} {self.field} {self.start}-{self.end} ({self.decision})"

    @property
    def is_whole_record(self) -> bool:
        return self.source == RedactionSource.WHOLE_RECORD
