"""A request, its choices, its statutory clock and its reference counter."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    EVERYTHING = "everything", _("Everything you hold")
    SPECIFIC = "specific", _("Specific records")


class Delivery(models.TextChoices):
    DOWNLOAD = "download", _("A copy to download")
    APPOINTMENT = "appointment", _("To look at them at an appointment")


class Adjustment(models.TextChoices):
    EASY_READ = "easy_read", _("Easy read")
    LARGE_PRINT = "large_print", _("Large print")
    INTERPRETER = "interpreter", _("An interpreter")
    OTHER = "other", _("Something else")


class AccessRequest(models.Model):
    """One right-of-access request made by one person (``requester``), about
    themselves and/or one or more of their children, with one statutory clock
    shared by every person it is about (``SubjectCase``).

    The clock: ``clock_started_on`` is the date of receipt, or of receipt of
    identity evidence that was asked for (empty while it is awaited);
    ``paused_since`` is set while a clarification is outstanding;
    ``paused_days`` are the calendar days of finished pauses;
    ``extension_months`` are the further months taken for a complex request.
    ``due_on`` is derived from these by ``sar.deadlines.due_date`` (kept in a
    column so the dashboard can sort and filter on it) and only ever written by
    ``sar.clock``.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_requests",
        verbose_name=_("requester"),
    )
    about_requester = models.BooleanField(_("includes the requester's own records"))
    scope = models.CharField(_("what they want"), max_length=20, choices=Scope.choices)
    date_from = models.DateField(_("records from"), null=True, blank=True)
    date_to = models.DateField(_("records to"), null=True, blank=True)
    topics = models.TextField(_("topics"), blank=True)
    delivery = models.CharField(_("how they want it"), max_length=20, choices=Delivery.choices)
    adjustments = models.JSONField(
        _("reasonable adjustments"),
        default=list,
        blank=True,
        help_text=_("A list of Adjustment values."),
    )
    interpreter_language = models.CharField(_("interpreter language"), max_length=100, blank=True)
    adjustment_other = models.CharField(_("other adjustment"), max_length=500, blank=True)
    code_revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confidentiality code revision acknowledged"),
    )
    acknowledged_at = models.DateTimeField(_("confidentiality code acknowledged"))
    received_at = models.DateTimeField(_("received"))
    clock_started_on = models.DateField(_("clock started"), null=True, blank=True)
    paused_since = models.DateField(_("clock paused since"), null=True, blank=True)
    paused_days = models.IntegerField(_("days paused"), default=0)
    extension_months = models.SmallIntegerField(_("extension (months)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_notified_on = models.DateField(_("parent told of extension"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(paused_days__gte=0), name="sar_request_paused_days_not_negative"
            ),
            # UK GDPR Art. 12(3): at most two further months.
            models.CheckConstraint(
                condition=Q(extension_months__gte=0, extension_months__lte=2),
                name="sar_request_extension_at_most_two_months",
            ),
            # An extension always has its reason and the date the parent was told.
            models.CheckConstraint(
                condition=Q(extension_months=0)
                | (~Q(extension_reason="") & Q(extension_notified_on__isnull=False)),
                name="sar_request_extension_reason_and_notice",
            ),
            # A clock that has not started cannot be paused or have a due date;
            # one that has started always has one.
            models.CheckConstraint(
                condition=Q(
                    clock_started_on__isnull=True, paused_since__isnull=True, due_on__isnull=True
                )
                | Q(clock_started_on__isnull=False, due_on__isnull=False),
                name="sar_request_clock_consistent",
            ),
            models.CheckConstraint(
                condition=Q(paused_since__isnull=True) | Q(paused_since__gte=F("clock_started_on")),
                name="sar_request_paused_after_start",
            ),
            # "Specific records" says which: a date range or topics.
            models.CheckConstraint(
                condition=Q(
                    scope=Scope.EVERYTHING, date_from__isnull=True, date_to__isnull=True, topics=""
                )
                | Q(scope=Scope.SPECIFIC)
                & (Q(date_from__isnull=False) | Q(date_to__isnull=False) | ~Q(topics="")),
                name="sar_request_scope_detail",
            ),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True)
                | Q(date_to__isnull=True)
                | Q(date_from__lte=F("date_to")),
                name="sar_request_date_range_ordered",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


class ReferenceCounter(models.Model):
    """The last request number given out in a year: references
    (SAR-YYYY-NNNNN) are allocated by locking this row (``sar.references``),
    never by reading the highest reference, which two requests could both do."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"
