"""The service's own records: a case per service user, the people the records
mention, the records themselves (text and attachments encrypted at rest), and
the records a caseworker has selected for a subject case.

These are the "stand-alone SENDIASS database which can only be accessed by
SENDIASS staff" that a right-of-access request is answered from.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sar.encryption import (
    EncryptedFileField,
    EncryptedTextField,
    read_encrypted_file,
    write_encrypted_file,
)
from sar.models.cases import SubjectCase
from sar.models.children import Child


class ServiceCase(models.Model):
    """The service's case for one service user (a parent or carer, or a young
    person), with the children it concerns."""

    service_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_cases",
        verbose_name=_("parent, carer or young person"),
    )
    children = models.ManyToManyField(
        Child, blank=True, related_name="service_cases", verbose_name=_("children")
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_cases_held",
        limit_choices_to={"is_staff": True},
        verbose_name=_("caseworker"),
    )

    class Meta:
        ordering = ["-opened_on", "id"]
        verbose_name = _("service case")
        verbose_name_plural = _("service cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="sar_servicecase_closed_after_opened",
            ),
        ]

    def __str__(self):
        return f"Service case {self.pk}"


class Person(models.Model):
    """A third party or professional mentioned in a case's records: another
    child, a family member, a teacher. Their names are what redaction looks for."""

    case = models.ForeignKey(
        ServiceCase, on_delete=models.CASCADE, related_name="people", verbose_name=_("case")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    aliases = models.JSONField(
        _("other names"), default=list, blank=True, help_text=_("Nicknames, maiden names.")
    )
    role = models.CharField(
        _("role"), max_length=100, blank=True, help_text=_("For example teacher, grandparent.")
    )
    is_professional = models.BooleanField(_("acting as a professional"), default=False)
    # The ICO's guidance: professionals acting in that role are not normally
    # redacted; the caseworker can decide otherwise for one person.
    redact_professional = models.BooleanField(_("redact although a professional"), default=False)

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("person mentioned")
        verbose_name_plural = _("people mentioned")

    def __str__(self):
        return self.full_name

    def as_known_person(self):
        from sar.redaction import KnownPerson

        return KnownPerson(
            full_name=self.full_name,
            aliases=tuple(self.aliases or ()),
            role=self.role,
            is_professional=self.is_professional,
            redact_professional=self.redact_professional,
        )


class RecordKind(models.TextChoices):
    CASE_NOTE = "case_note", _("Case note")
    PHONE_CALL = "phone_call", _("Phone call")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    MEETING_NOTE = "meeting_note", _("Meeting note")
    DOCUMENT = "document", _("Document")


def _attachment_path(instance, filename):
    # A random name: the uploaded file's name may itself be personal data.
    return f"records/{uuid.uuid4().hex}.pdf.enc"


class Record(models.Model):
    """One entry in a service case: a note, call, email, letter, meeting note or
    document. Its text, correspondents and attachment are encrypted at rest."""

    case = models.ForeignKey(
        ServiceCase, on_delete=models.CASCADE, related_name="records", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    date = models.DateField(_("date"), db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records_written",
        limit_choices_to={"is_staff": True},
        verbose_name=_("author"),
    )
    # Plain so lists can show it: a generic label ("Phone call", "Annual
    # review"), never a name; names belong in the encrypted body.
    title = models.CharField(_("title"), max_length=120)
    body = EncryptedTextField(_("text"), blank=True)
    sender = EncryptedTextField(_("from"), blank=True)
    recipients = EncryptedTextField(_("to"), blank=True)
    attachment = EncryptedFileField(
        _("attachment (PDF)"), upload_to=_attachment_path, blank=True, max_length=200
    )
    concerns = models.ManyToManyField(
        Child, blank=True, related_name="records", verbose_name=_("children concerned")
    )
    mentions = models.ManyToManyField(
        Person, blank=True, related_name="records", verbose_name=_("people mentioned")
    )
    shared_in_confidence_by_child = models.BooleanField(
        _("shared in confidence by the child or young person"), default=False
    )
    include_confidential_decision = EncryptedTextField(
        _("why it is included in requests"), blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("record")
        verbose_name_plural = _("records")
        indexes = [models.Index(fields=["case", "date"], name="sar_record_case_date")]

    def __str__(self):
        return f"{self.kind_label}, {self.date:%d %B %Y}"

    @property
    def kind_label(self) -> str:
        """``get_kind_display()``, without Django rebuilding the choices on
        every call (a bundle asks once per record, twice)."""
        return str(RecordKind(self.kind).label)

    @property
    def author_name(self) -> str:
        """Who wrote it, for staff screens: a name, else an email address, else ""."""
        if self.author is None:
            return ""
        return self.author.get_full_name() or self.author.email

    def set_attachment(self, data: bytes, *, save: bool = True) -> None:
        """Store ``data`` (a PDF) encrypted as this record's attachment."""
        old = self.attachment.name
        write_encrypted_file(self.attachment, data, name="attachment.pdf", save=save)
        if old and old != self.attachment.name:
            self.attachment.storage.delete(old)

    def attachment_bytes(self) -> bytes | None:
        """The attachment decrypted, or ``None`` when there is none."""
        if not self.attachment:
            return None
        return read_encrypted_file(self.attachment)


class SubjectCaseRecord(models.Model):
    """A record a caseworker has selected for a subject case's response."""

    subject_case = models.ForeignKey(
        SubjectCase,
        on_delete=models.CASCADE,
        related_name="selected_records",
        verbose_name=_("subject case"),
    )
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="selections", verbose_name=_("record")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    # What the last check of this record's suggestions found nothing undecided
    # in (``sar.redactions.decided_digest``): while the digest is the same, a
    # bundle need not run the detectors over the record again.
    decided_digest = models.CharField(
        _("digest of the last complete review"), max_length=64, blank=True, editable=False
    )

    class Meta:
        ordering = ["record__date", "record_id"]
        verbose_name = _("selected record")
        verbose_name_plural = _("selected records")
        constraints = [
            # Selecting twice is a no-op, not a second copy in the bundle.
            models.UniqueConstraint(
                fields=["subject_case", "record"], name="sar_subjectcaserecord_unique"
            ),
        ]

    def __str__(self):
        return f"Record {self.record_id} for case {self.subject_case_id}"
