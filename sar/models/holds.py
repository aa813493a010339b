"""Safeguarding holds: the confidentiality code's one exception ("a child is
at risk"). A hold stops all work on, and any release of, a subject case or
every subject case of a service case, while the safeguarding lead looks into
a concern; the parent sees only "We are still working on your request".

The rules (who may, what a hold covers, what lifting it needs) live in
``sar.safeguarding``; what the database can hold is here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sar.encryption import EncryptedTextField
from sar.models.cases import SubjectCase
from sar.models.records import ServiceCase


class HoldExemption(models.TextChoices):
    """The exemption from the right of access relied on while records are held
    back: DPA 2018 Schedule 3 (health, social work, education and child abuse
    data). The paragraph numbers are those of the Act as enacted and in force
    (Pt 2 health, Pt 3 social work, Pt 4 education, Pt 5 child abuse)."""

    EDUCATION_SERIOUS_HARM = (
        "education_serious_harm",
        _(
            "Education data: serious harm to the physical or mental health of the "
            "person or someone else (DPA 2018 Sch 3 Pt 4 para 19)"
        ),
    )
    HEALTH_SERIOUS_HARM = (
        "health_serious_harm",
        _(
            "Health data: serious harm to the physical or mental health of the "
            "person or someone else (DPA 2018 Sch 3 Pt 2 para 5)"
        ),
    )
    HEALTH_EXPECTATIONS = (
        "health_expectations",
        _(
            "Health data: given in the expectation it would not be disclosed to the "
            "person asking (DPA 2018 Sch 3 Pt 2 para 4)"
        ),
    )
    SOCIAL_WORK_SERIOUS_HARM = (
        "social_work_serious_harm",
        _(
            "Social work data: serious harm to the physical or mental health of the "
            "person or someone else, prejudicing social work (DPA 2018 Sch 3 Pt 3 para 11)"
        ),
    )
    SOCIAL_WORK_EXPECTATIONS = (
        "social_work_expectations",
        _(
            "Social work data: given in the expectation it would not be disclosed to "
            "the person asking (DPA 2018 Sch 3 Pt 3 para 10)"
        ),
    )
    CHILD_ABUSE = (
        "child_abuse",
        _(
            "Child abuse data: disclosure to a person with parental responsibility "
            "would not be in the child's best interests (DPA 2018 Sch 3 Pt 5 para 21)"
        ),
    )


class SafeguardingHold(models.Model):
    """One hold, on one subject case or on a whole service case, from when it
    was placed until a safeguarding lead lifted it with a recorded decision.

    ``cases`` are the subject cases it keeps on hold: the one subject case; or,
    for a service case, every open subject case of the service user when it
    was placed and every one begun while it stands. The reason and the
    decision are encrypted at rest; the exemption is a choice, so the report
    and the audit trail can name it without naming anyone.
    """

    service_case = models.ForeignKey(
        ServiceCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="safeguarding_holds",
        verbose_name=_("service case"),
    )
    subject_case = models.ForeignKey(
        SubjectCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_safeguarding_holds",
        verbose_name=_("subject case"),
    )
    cases = models.ManyToManyField(
        SubjectCase,
        blank=True,
        related_name="safeguarding_holds",
        verbose_name=_("subject cases held"),
    )
    exemption = models.CharField(
        _("exemption relied on"), max_length=40, choices=HoldExemption.choices
    )
    reason = EncryptedTextField(_("reason for the hold"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("placed by"),
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now, db_index=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    decision = EncryptedTextField(_("decision to lift"), blank=True)

    class Meta:
        ordering = ["placed_at", "id"]
        verbose_name = _("safeguarding hold")
        verbose_name_plural = _("safeguarding holds")
        constraints = [
            # A hold is on a subject case or on a service case, never both.
            models.CheckConstraint(
                condition=Q(service_case__isnull=True, subject_case__isnull=False)
                | Q(service_case__isnull=False, subject_case__isnull=True),
                name="sar_hold_on_one_thing",
            ),
            # Lifting says who and when together (the decision, encrypted, is
            # checked by sar.safeguarding).
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | Q(lifted_at__isnull=False, lifted_by__isnull=False),
                name="sar_hold_lifted_says_who",
            ),
            # One standing hold per case: a second concern goes in the first
            # hold's record, or the first is lifted and a new one placed.
            models.UniqueConstraint(
                fields=["subject_case"],
                condition=Q(lifted_at__isnull=True, subject_case__isnull=False),
                name="sar_hold_one_standing_per_subject_case",
            ),
            models.UniqueConstraint(
                fields=["service_case"],
                condition=Q(lifted_at__isnull=True, service_case__isnull=False),
                name="sar_hold_one_standing_per_service_case",
            ),
        ]

    def __str__(self):
        return f"Safeguarding hold {self.pk}"

    @property
    def is_standing(self) -> bool:
        return self.lifted_at is None

    def age_days(self, *, on=None) -> int:
        """Whole days from placing to lifting (or to ``on``, today by default,
        while it stands), in London dates."""
        from sar import deadlines

        end = deadlines.london_date(self.lifted_at) if self.lifted_at else (on or deadlines.today())
        return (end - deadlines.london_date(self.placed_at)).days
