"""Template filters for showing Wagtail rich text with GOV.UK Frontend styles,
and the footer's contact details."""

from bs4 import BeautifulSoup
from django import template
from django.utils.safestring import mark_safe
from wagtail.templatetags.wagtailcore_tags import richtext

register = template.Library()


@register.simple_tag
def footer_contact():
    """What the footer shows (``content.footer``)."""
    from content.footer import footer_contact

    return footer_contact()


# GOV.UK Frontend styles nothing by element, only by class, so rich text from
# the editor needs its classes added.
_CLASSES = {
    "p": "govuk-body",
    "a": "govuk-link",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
}


@register.filter
def govuk_rich_text(value, style: str = ""):
    """Render rich text with GOV.UK classes.

    ``style`` is ``""`` for body text, ``"lead"`` for larger lead paragraphs, or
    ``"inline"`` for text inside another element (a list item, warning text):
    its paragraphs are unwrapped, separated by line breaks, so no block element
    ends up where only phrasing content is allowed.
    """
    if value is None or value == "":
        return ""
    soup = BeautifulSoup(str(richtext(value)), "html.parser")
    for name, classes in _CLASSES.items():
        for tag in soup.find_all(name):
            if name == "p" and style == "lead":
                classes = "govuk-body-l"
            tag["class"] = classes
    if style == "inline":
        paragraphs = soup.find_all("p", recursive=False)
        for index, paragraph in enumerate(paragraphs):
            if index:
                paragraph.insert_before(soup.new_tag("br"))
                paragraph.insert_before(soup.new_tag("br"))
            paragraph.unwrap()
    # The HTML came from Wagtail's rich text (already sanitised by its editor
    # whitelist and expanded by ``richtext``); only class attributes were added.
    return mark_safe(str(soup).strip())  # noqa: S308
