from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventImmutable(Exception):
    """An attempt to change or remove an audit event: the trail is append-only."""


IMMUTABLE_MESSAGE = "Audit events are append-only: they cannot be changed or deleted."


class AuditEventQuerySet(models.QuerySet):
    """Refuses the bulk writes that would bypass ``AuditEvent.save``/``delete``."""

    def update(self, **kwargs):
        raise AuditEventImmutable(IMMUTABLE_MESSAGE)

    def delete(self):
        raise AuditEventImmutable(IMMUTABLE_MESSAGE)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditEventImmutable(IMMUTABLE_MESSAGE)

    # update_or_create would update an existing row through save(); refuse it
    # up front so the error names the real cause.
    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AuditEventImmutable(IMMUTABLE_MESSAGE)

    def erase_personal_fields(self) -> int:
        """The one change the trail allows: blank the erasable personal fields
        (``reason``, ``ip_address`` and the salt of their digest) of events
        whose hash covers only that digest. Call it through
        ``portal.audit.events.erase_personal``, which records that it happened;
        the database triggers refuse any other UPDATE."""
        erasable = self.exclude(personal_digest="").exclude(personal_salt="")
        return models.QuerySet.update(erasable, reason="", ip_address=None, personal_salt="")


class AuditEvent(models.Model):
    """One thing that happened, recorded once and never changed: who (``actor``,
    ``actor_label``), did what (``action``), to what (``object_type`` and
    ``object_id``), when, from where and why.

    Events form a hash chain: ``hash`` is SHA-256 over this event's fields and
    the previous event's ``hash``, so altering or removing any row breaks every
    hash after it (``verify_audit_chain`` finds the first break). Actors are
    labelled by role and id, never by name or email, and ``data`` carries
    identifiers and codes only.

    Two fields can hold personal data: ``reason`` (free text, which may name
    someone) and ``ip_address``. The chain covers them only through
    ``personal_digest``, an HMAC-SHA256 of the two keyed with a random
    per-event ``personal_salt``, so when a case is disposed of they can be
    erased (blanked, salt and all) and every hash still verifies; without the
    salt the digest cannot be tested against guesses. Events written before
    this (``personal_digest`` empty) hash the two fields themselves and cannot
    be erased.

    Write only through ``portal.audit.events.record``.
    """

    timestamp = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # PROTECT: an account that acted can be deactivated or anonymised but its
    # row never deleted, or the trail would lose who did what (SET_NULL would
    # also be an UPDATE, which the database triggers refuse).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty when the system acted."),
    )
    actor_label = models.CharField(
        _("actor label"), max_length=64, help_text=_('"staff #12", "parent #34" or "system".')
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    personal_digest = models.CharField(
        _("digest of the personal fields"), max_length=64, blank=True, default=""
    )
    # Empty once the personal fields are erased (or for an event written before
    # they could be).
    personal_salt = models.CharField(_("salt of the digest"), max_length=32, blank=True, default="")
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"#{self.pk} {self.action} by {self.actor_label}"

    def save(self, *args, **kwargs):
        # Only the first INSERT is allowed; _state.adding is False once saved
        # or loaded from the database.
        if not self._state.adding:
            raise AuditEventImmutable(IMMUTABLE_MESSAGE)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable(IMMUTABLE_MESSAGE)
