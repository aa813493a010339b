"""Consent to disclose information about a service user."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sar import deadlines
from sar.models.children import Child


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written")
    VERBAL = "verbal", _("Verbal, recorded by staff")


class ConsentToDisclose(models.Model):
    """Consent to disclose information about a service user to someone else.
    The confidentiality code: "When we receive consent to disclose information
    about a Service user, this will always be recorded on the SENDIASS
    database". ``parent`` is whose data it is (or whose child's: ``child``);
    the parent can see and withdraw it."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="disclosure_consents",
        verbose_name=_("service user"),
    )
    child = models.ForeignKey(
        Child,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosure_consents",
        verbose_name=_("child"),
    )
    consent_given_by = models.CharField(_("consent given by"), max_length=200)
    what_information = models.TextField(_("information to disclose"))
    recipient = models.CharField(_("disclosed to"), max_length=300)
    purpose = models.TextField(_("purpose"))
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how given"), max_length=20, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent to disclose")
        verbose_name_plural = _("consents to disclose")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("given_on")),
                name="sar_consent_expires_after_given",
            ),
            # Verbal consent exists only as a member of staff's record of it.
            models.CheckConstraint(
                condition=~Q(method=ConsentMethod.VERBAL) | Q(recorded_by__isnull=False),
                name="sar_consent_verbal_recorded_by_staff",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="sar_consent_withdrawal_says_who",
            ),
        ]

    def __str__(self):
        return f"Consent to disclose to {self.recipient}"

    def is_active_on(self, day) -> bool:
        """In force on ``day``: not withdrawn and not expired (it runs to the end
        of its expiry date)."""
        if self.withdrawn_at is not None or day < self.given_on:
            return False
        return self.expires_on is None or day <= self.expires_on

    @property
    def is_active(self) -> bool:
        return self.is_active_on(deadlines.today())
