"""Retention and disposal: the service cases a daily check found due for
disposal (waiting for a caseworker to confirm), and what is left of a case
once it is disposed of.

The rule is ``sar.retention.rules.disposal_due_on``; the queue, the
confirmation and the certificate are ``sar.retention``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sar.models.records import ServiceCase


class DisposalRule(models.TextChoices):
    """Which part of the retention rule made a case due."""

    CHILDREN = (
        "children",
        _(
            "Every child on the case has reached 25 or left education, and the grace "
            "period has passed"
        ),
    )
    CLOSED_NO_CHILDREN = (
        "closed_no_children",
        _("Closed with no children on the case, and the retention period has passed"),
    )


class DisposalDue(models.Model):
    """A service case due for disposal, listed by the daily check for a
    caseworker to confirm. The check never deletes anything: it adds, updates
    and (when a case is no longer due, say a date was corrected) removes these
    entries; only a caseworker's confirmation disposes of the case."""

    service_case = models.OneToOneField(
        ServiceCase,
        on_delete=models.CASCADE,
        related_name="disposal_due",
        verbose_name=_("service case"),
    )
    due_on = models.DateField(_("due for disposal on"), db_index=True)
    rule = models.CharField(_("why"), max_length=30, choices=DisposalRule.choices)
    listed_at = models.DateTimeField(_("first listed"), default=timezone.now)
    checked_at = models.DateTimeField(_("last checked"), default=timezone.now)

    class Meta:
        ordering = ["due_on", "service_case_id"]
        verbose_name = _("disposal due")
        verbose_name_plural = _("disposals due")

    def __str__(self):
        return f"Service case {self.service_case_id} due on {self.due_on:%Y-%m-%d}"


class DisposalTombstone(models.Model):
    """What remains of a disposed service case: its number and request
    references, when it was opened and closed, how many of each thing were
    destroyed, and who confirmed it when. Nothing here names or describes
    anyone, and nothing links back to a person (the service user's account
    is not referred to); a disposal certificate is rendered from it."""

    service_case_number = models.PositiveBigIntegerField(_("service case number"), unique=True)
    references = models.JSONField(_("request references"), default=list, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    rule = models.CharField(_("why it was due"), max_length=30, choices=DisposalRule.choices)
    # {"records": {"case_note": 3, ...}, "attachments": 2, "people": 4, ...}
    counts = models.JSONField(_("what was destroyed"), default=dict)
    audit_events_erased = models.PositiveIntegerField(
        _("audit events with personal fields erased"), default=0
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("disposed of"), default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        verbose_name = _("disposal record")
        verbose_name_plural = _("disposal records")

    def __str__(self):
        return f"Disposal of service case {self.service_case_number}"

    @property
    def certificate_number(self) -> str:
        return f"DC-{self.confirmed_at:%Y}-{self.pk:05d}"
