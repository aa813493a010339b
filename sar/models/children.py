"""A child as their parent described them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    STEP_PARENT = "step_parent", _("Step-parent")
    GUARDIAN = "guardian", _("Guardian")
    FOSTER_CARER = "foster_carer", _("Foster carer")
    OTHER = "other", _("Other")


class Child(models.Model):
    """A child or young person a parent or carer asks about, as that parent
    described them. Belongs to one parent account; the same child described by
    two parents is two rows (each parent's claim of parental responsibility is
    checked separately). A young person of 16 or over asking for their own
    records is not a Child: they are a user asking about themselves."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent or carer"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"))
    school_or_setting = models.CharField(_("school or setting"), max_length=200, blank=True)
    relationship = models.CharField(
        _("relationship to the child"), max_length=20, choices=Relationship.choices
    )
    relationship_other = models.CharField(_("relationship (other)"), max_length=100, blank=True)
    has_parental_responsibility = models.BooleanField(_("has parental responsibility"))
    court_order = models.TextField(
        _("court order"), blank=True, help_text=_("Any court order about the child.")
    )
    # Recorded by staff (sar.retention): with the date of birth it decides
    # when the service disposes of the case's records.
    left_education_on = models.DateField(_("left education on"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [
            # "Other" always says what the relationship is, and only "other" does,
            # so a caseworker never reads a stale description.
            models.CheckConstraint(
                condition=(
                    Q(relationship=Relationship.OTHER) & ~Q(relationship_other="")
                    | ~Q(relationship=Relationship.OTHER) & Q(relationship_other="")
                ),
                name="sar_child_other_relationship_described",
            ),
        ]

    def __str__(self):
        return self.full_name
