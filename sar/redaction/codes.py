"""Why a span is redacted (the code printed in the black box) and what a detector found."""

from django.db import models
from django.utils.translation import gettext_lazy as _

_LEGAL_BASIS = {
    "TP": "DPA 2018 Sch 2 Pt 3 para 16",
    "SH": "DPA 2018 Sch 3",
    "LPP": "DPA 2018 Sch 2 Pt 4 para 19",
    "OE": "",
}


class ReasonCode(models.TextChoices):
    """The reason for a redaction, as printed in the bundle's black boxes.

    The value is the short code shown in the box; the label names the exemption
    and its legal basis, and the redaction-codes page of the bundle lists them all.
    """

    THIRD_PARTY = "TP", _("Third-party personal data (DPA 2018 Sch 2 Pt 3 para 16)")
    SERIOUS_HARM = "SH", _("Serious harm (DPA 2018 Sch 3)")
    LEGAL_PRIVILEGE = "LPP", _("Legal professional privilege (DPA 2018 Sch 2 Pt 4 para 19)")
    OTHER = "OE", _("Other exemption")

    @property
    def legal_basis(self) -> str:
        """The statutory provision, e.g. "DPA 2018 Sch 3" (empty for "other exemption")."""
        return _LEGAL_BASIS[self.value]


class SuggestionKind(models.TextChoices):
    """What a detector recognised (shown to the caseworker, never printed)."""

    PERSON = "person", _("Name of a known third party")
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")
    POSTCODE = "postcode", _("Postcode")
    NI_NUMBER = "ni_number", _("National Insurance number")
    NHS_NUMBER = "nhs_number", _("NHS number")
    UPN = "upn", _("Unique Pupil Number")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth of someone else")


# When two detectors claim spans of the same length, the more specific one names
# the merged span (an NHS number is also a string of digits a phone parser may like).
KIND_PRIORITY = (
    SuggestionKind.NHS_NUMBER,
    SuggestionKind.UPN,
    SuggestionKind.NI_NUMBER,
    SuggestionKind.EMAIL,
    SuggestionKind.PHONE,
    SuggestionKind.POSTCODE,
    SuggestionKind.DATE_OF_BIRTH,
    SuggestionKind.PERSON,
)
