"""Wagtail pages and site settings: the home page, the confidentiality code,
standard pages and the service's contact details."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site

from content.blocks import INLINE_FEATURES, ConfidentialityCodeBlock, StandardBodyBlock
from content.forms import PageForm

PHONE_INVALID = _(
    "Enter a phone number, like 01865 810516 or +44 1865 810516. Use only numbers, "
    "spaces, brackets, hyphens and a + at the start."
)
# Separators people write in phone numbers; everything else must be a digit.
_PHONE_SEPARATORS = re.compile(r"[\s().\-]")
# A UK number written nationally (0 then 9 or 10 digits) or any number written
# internationally in E.164 form (+ then 7 to 15 digits).
_PHONE_DIGITS = re.compile(r"^(?:0\d{9,10}|\+\d{7,15})$")


def validate_phone(value: str) -> None:
    """Reject anything that cannot be dialled from a tel: link."""
    if not _PHONE_DIGITS.match(_PHONE_SEPARATORS.sub("", value or "")):
        raise ValidationError(PHONE_INVALID, code="invalid_phone")


def phone_to_uri(phone: str) -> str:
    """A phone number in the international form a tel: link needs.

    ``01865 810516`` becomes ``+441865810516``: the separators go, and the UK
    trunk prefix 0 becomes the country code +44.
    """
    digits = _PHONE_SEPARATORS.sub("", phone or "")
    if digits.startswith("+"):
        return digits
    if digits.startswith("0"):
        return "+44" + digits[1:]
    return digits


class HomePage(Page):
    """The root of the public site: a plain-English welcome and the way in."""

    intro = RichTextField(
        features=INLINE_FEATURES,
        blank=True,
        help_text=_("One or two sentences saying what this service is for."),
    )
    body = StreamField(StandardBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    base_form_class = PageForm

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.ConfidentialityCodePage", "content.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["confidentiality_page"] = ConfidentialityCodePage.objects.live().first()
        return context


class ConfidentialityCodePage(Page):
    """The service's confidentiality code: what is kept confidential, how, and
    the one exception. Parents acknowledge its current revision when they ask
    for their records."""

    body = StreamField(ConfidentialityCodeBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    base_form_class = PageForm

    parent_page_types = ["content.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("confidentiality code page")

    @property
    def last_updated(self):
        """When the version people see now was written (its live revision)."""
        revision = self.live_revision
        return revision.created_at if revision else self.last_published_at


class StandardPage(Page):
    """A page of plain information: a title, a short introduction and body text."""

    intro = RichTextField(features=INLINE_FEATURES, blank=True)
    body = StreamField(StandardBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    base_form_class = PageForm

    parent_page_types = ["content.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="mail")
class ContactDetails(BaseSiteSetting):
    """How people reach the service. Shown in every page's footer and wherever a
    page includes a contact details block, so a number changes in one place."""

    service_name = models.CharField(
        _("service name"), max_length=255, default="SENDIASS Oxfordshire"
    )
    phone = models.CharField(
        _("phone number"), max_length=40, blank=True, validators=[validate_phone]
    )
    email = models.EmailField(_("email address"), blank=True)
    address = models.TextField(_("postal address"), blank=True)
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=255,
        blank=True,
        help_text=_("For example: Monday to Friday, 9am to 5pm"),
    )
    confidentiality_page = models.ForeignKey(
        "content.ConfidentialityCodePage",
        verbose_name=_("confidentiality code page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Parents' "Your data" page lists who at the service looked at their
    # records; by role unless the service chooses to name its staff.
    show_staff_names = models.BooleanField(
        _("name staff on a parent's “Your data” page"),
        default=False,
        help_text=_(
            "When ticked, a parent sees the name of each member of staff who looked at "
            "their records. When not, they see the role, for example “A caseworker”. "
            "Safeguarding leads are never named."
        ),
    )

    select_related = ["confidentiality_page"]

    panels = [
        FieldPanel("service_name"),
        MultiFieldPanel(
            [
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("opening_hours"),
                FieldPanel("address"),
            ],
            heading=_("How to contact us"),
        ),
        FieldPanel("confidentiality_page"),
        FieldPanel("show_staff_names"),
    ]

    class Meta:
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    @property
    def phone_uri(self) -> str:
        """The phone number for a tel: link, like ``+441865810516``."""
        return phone_to_uri(self.phone)

    @classmethod
    def for_default_site(cls) -> "ContactDetails":
        """The default site's setting, in one query (the site and the
        confidentiality page joined) rather than Wagtail's two. Created as
        Wagtail creates it when the site has none yet; with no site at all,
        an unsaved blank setting."""
        found = cls.base_queryset().filter(site__is_default_site=True).first()
        if found is not None:
            return found
        site = Site.objects.filter(is_default_site=True).first()
        return cls.for_site(site) if site else cls()

    @classmethod
    def for_request_or_default(cls, request=None) -> "ContactDetails":
        """The setting for the request's site, else the default site's.

        With no site at all (a fresh database), an unsaved blank setting, so a
        page still renders.
        """
        if request is not None and Site.find_for_request(request) is not None:
            return cls.for_request(request)  # cached on the request
        site = Site.objects.filter(is_default_site=True).first()
        return cls.for_site(site) if site else cls()
