"""One case per person a request is about, and the timeline of a request."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sar.models.children import Child
from sar.models.requests import AccessRequest


class CaseStatus(models.TextChoices):
    """Where one person's part of a request stands; the transitions between
    these are the table in ``sar.workflow.table``."""

    SUBMITTED = "submitted", _("Submitted")
    AWAITING_EVIDENCE = (
        "awaiting_evidence",
        _("Awaiting identity or parental responsibility evidence"),
    )
    CLARIFICATION = "clarification", _("Clarification requested (clock paused)")
    IN_PROGRESS = "in_progress", _("In progress")
    IN_REVIEW = "in_review", _("In review (redaction)")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RELEASED = "released", _("Released")
    CLOSED = "closed", _("Closed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ON_HOLD = "on_hold", _("On safeguarding hold")


# No further transition leaves these (closed_at is set on entering them).
TERMINAL_STATUSES = (CaseStatus.CLOSED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN)
# The request has been answered for this person: the clock no longer matters.
ANSWERED_STATUSES = (CaseStatus.RELEASED, *TERMINAL_STATUSES)


class SubjectKind(models.TextChoices):
    REQUESTER = "requester", _("The requester")
    CHILD = "child", _("A child")


class ConsentStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed")
    NEEDED = "needed", _("Needed")
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")


class SubjectCase(models.Model):
    """One person a request is about (the requester, or one child), decided and
    released separately, on the request's shared clock."""

    request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="cases", verbose_name=_("request")
    )
    kind = models.CharField(_("about"), max_length=20, choices=SubjectKind.choices)
    child = models.ForeignKey(
        Child,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("child"),
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=CaseStatus.choices,
        default=CaseStatus.SUBMITTED,
        db_index=True,
    )
    held_from_status = models.CharField(
        _("status before the hold"), max_length=30, choices=CaseStatus.choices, blank=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("caseworker"),
    )
    submitted_for_approval_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # Children of 12 or over: their competence and views before release to a parent.
    competence_assessed = models.BooleanField(_("competence assessed"), default=False)
    competence_notes = models.TextField(_("competence assessment"), blank=True)
    child_views = models.TextField(_("the child's views"), blank=True)
    competence_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("competence recorded by"),
    )
    competence_recorded_at = models.DateTimeField(_("competence recorded"), null=True, blank=True)
    # Young people of 16 or over: their consent before release to a parent.
    consent_status = models.CharField(
        _("young person's consent"),
        max_length=20,
        choices=ConsentStatus.choices,
        default=ConsentStatus.NOT_NEEDED,
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["request", "kind", "id"]
        verbose_name = _("subject case")
        verbose_name_plural = _("subject cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=SubjectKind.CHILD, child__isnull=False)
                | Q(kind=SubjectKind.REQUESTER, child__isnull=True),
                name="sar_case_child_iff_kind_child",
            ),
            models.UniqueConstraint(fields=["request", "child"], name="sar_case_one_per_child"),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(kind=SubjectKind.REQUESTER),
                name="sar_case_one_requester_case",
            ),
            # A hold always knows what to go back to, and only a hold does.
            models.CheckConstraint(
                condition=Q(status=CaseStatus.ON_HOLD) & ~Q(held_from_status="")
                | ~Q(status=CaseStatus.ON_HOLD) & Q(held_from_status=""),
                name="sar_case_hold_remembers_status",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.REFUSED) | ~Q(refusal_reason=""),
                name="sar_case_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TERMINAL_STATUSES, closed_at__isnull=False)
                | (~Q(status__in=TERMINAL_STATUSES) & Q(closed_at__isnull=True)),
                name="sar_case_closed_at_iff_terminal",
            ),
            # Four eyes: nobody approves what they submitted for approval.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(submitted_for_approval_by__isnull=True)
                | ~Q(approved_by=F("submitted_for_approval_by")),
                name="sar_case_approver_not_preparer",
            ),
            # Consent is only ever needed from a young person a parent asks about.
            models.CheckConstraint(
                condition=Q(kind=SubjectKind.CHILD) | Q(consent_status=ConsentStatus.NOT_NEEDED),
                name="sar_case_consent_only_for_children",
            ),
            models.CheckConstraint(
                condition=Q(
                    consent_status__in=[ConsentStatus.GIVEN, ConsentStatus.REFUSED],
                    consent_recorded_at__isnull=False,
                )
                | Q(
                    consent_status__in=[ConsentStatus.NOT_NEEDED, ConsentStatus.NEEDED],
                    consent_recorded_at__isnull=True,
                ),
                name="sar_case_consent_decision_recorded",
            ),
            models.CheckConstraint(
                condition=Q(competence_assessed=False)
                | Q(competence_recorded_at__isnull=False) & ~Q(competence_notes=""),
                name="sar_case_competence_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.request.reference} ({self.get_kind_display()})"


class TimelineEntry(models.Model):
    """One thing that happened on a request, in words. The parent's "My
    requests" timeline shows only the entries ``visible_to_parent`` (through
    ``sar.selectors.parent_timeline``); the staff case timeline shows all,
    including those that must never reach the parent (holds, returns).
    ``message`` is plain text; ``kind`` is the transition or action name from
    ``sar.workflow`` ("submit", "extend", "request_clarification", ...)."""

    request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("request")
    )
    case = models.ForeignKey(
        SubjectCase,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timeline",
        verbose_name=_("case"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    kind = models.CharField(_("what"), max_length=40)
    message = models.TextField(_("message"))
    visible_to_parent = models.BooleanField(_("the parent can see this"), default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["request", "at"], name="sar_timeline_request_at")]

    def __str__(self):
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
