"""The copy a parent receives for one subject case: a redacted PDF, rendered
by a django-q2 task (``sar.tasks``), stored encrypted at rest with its SHA-256,
approved by a second person and downloaded by the parent until it expires or
staff revoke it.

One bundle per subject case: preparing it again replaces the file (and voids
any approval of the old one); ``generation`` counts the preparations, so a
task started for an earlier one can tell it is stale and stop.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sar.encryption import EncryptedFileField
from sar.models.cases import SubjectCase


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RENDERING = "rendering", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def _bundle_path(instance, filename):
    # A random name: nothing about the person in the storage's file names.
    return f"bundles/{uuid.uuid4().hex}.pdf.enc"


class Bundle(models.Model):
    subject_case = models.OneToOneField(
        SubjectCase,
        on_delete=models.CASCADE,
        related_name="bundle",
        verbose_name=_("subject case"),
    )
    generation = models.PositiveIntegerField(_("preparation number"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=BundleStatus.choices, default=BundleStatus.QUEUED
    )
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    progress_done = models.PositiveIntegerField(_("records done"), default=0)
    progress_total = models.PositiveIntegerField(_("records in total"), default=0)
    # Staff-facing, and never personal data: a reason, not a record's words.
    error = models.TextField(_("why it failed"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    requested_at = models.DateTimeField(_("asked for"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = EncryptedFileField(_("file"), upload_to=_bundle_path, blank=True, max_length=200)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    page_count = models.PositiveIntegerField(_("pages"), default=0)
    record_count = models.PositiveIntegerField(_("records included"), default=0)
    withheld_count = models.PositiveIntegerField(_("records withheld"), default=0)
    # Set when the bundle is approved: the parent can download it until then.
    available_until = models.DateTimeField(_("download available until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("download revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("why it was revoked"), blank=True)

    class Meta:
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")
        constraints = [
            # A ready bundle always has its file and checksum; nothing else has them.
            models.CheckConstraint(
                condition=Q(status=BundleStatus.READY) & ~Q(file="") & ~Q(sha256="")
                | ~Q(status=BundleStatus.READY) & Q(file="", sha256=""),
                name="sar_bundle_file_iff_ready",
            ),
            models.CheckConstraint(
                condition=~Q(status=BundleStatus.FAILED) | ~Q(error=""),
                name="sar_bundle_failure_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")),
                name="sar_bundle_progress_within_total",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="sar_bundle_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"Bundle for case {self.subject_case_id} ({self.status})"
