"""StreamField blocks for the service's pages.

The confidentiality code is held as structured blocks rather than one blob of
rich text, so each part (the lead, a section, the list of practices, the
exception, the contact details) keeps its own meaning and GOV.UK markup.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

# Rich text inside a block never holds headings: the block supplies its own h2,
# so the page's headings stay in order whatever an editor types.
PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]
INLINE_FEATURES = ["bold", "italic", "link"]


class LeadBlock(blocks.RichTextBlock):
    """The opening statements of a page, shown larger than body text."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", INLINE_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Lead paragraphs")
        template = "content/blocks/lead_block.html"


class HeadingBlock(blocks.CharBlock):
    """A second-level heading (the page title is the only h1)."""

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "content/blocks/heading_block.html"


class ParagraphBlock(blocks.RichTextBlock):
    """Body text: paragraphs, bold, links and lists."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", PARAGRAPH_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "doc-full"
        label = _("Paragraphs")
        template = "content/blocks/paragraph_block.html"


class SectionBlock(blocks.StructBlock):
    """A headed section of the confidentiality code: a heading and paragraphs."""

    heading = blocks.CharBlock(max_length=255, label=_("Heading"))
    body = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, label=_("Paragraphs"))

    class Meta:
        icon = "doc-full-inverse"
        label = _("Section")
        template = "content/blocks/section_block.html"


class PracticeListBlock(blocks.StructBlock):
    """A heading and a bulleted list, such as "What this means in practice"."""

    heading = blocks.CharBlock(max_length=255, label=_("Heading"))
    items = blocks.ListBlock(
        blocks.RichTextBlock(features=INLINE_FEATURES, label=_("Item")),
        min_num=1,
        label=_("Items"),
    )

    class Meta:
        icon = "list-ul"
        label = _("List with heading")
        template = "content/blocks/practice_list_block.html"


class ExceptionsBlock(blocks.StructBlock):
    """The exceptions to confidentiality, shown as GOV.UK warning text."""

    heading = blocks.CharBlock(max_length=255, label=_("Heading"))
    body = blocks.RichTextBlock(features=INLINE_FEATURES, label=_("Exceptions"))

    class Meta:
        icon = "warning"
        label = _("Exceptions to confidentiality")
        template = "content/blocks/exceptions_block.html"


class ContactDetailsBlock(blocks.StaticBlock):
    """The service's phone, email, opening hours and address.

    It holds no value of its own: it shows the Contact details site setting, so
    a new phone number is changed in one place and every page follows.
    """

    def get_context(self, value, parent_context=None):
        from content.models import ContactDetails

        context = super().get_context(value, parent_context=parent_context)
        context["contact"] = ContactDetails.for_request_or_default(context.get("request"))
        return context

    class Meta:
        icon = "mail"
        label = _("Contact details")
        admin_text = _(
            "Shows the service's phone number, email address, opening hours and address "
            "from Settings > Contact details."
        )
        template = "content/blocks/contact_details_block.html"


class StandardBodyBlock(blocks.StreamBlock):
    """The body of the home page and standard pages."""

    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    contact_details = ContactDetailsBlock()


class ConfidentialityCodeBlock(blocks.StreamBlock):
    """The body of the confidentiality code page."""

    lead = LeadBlock()
    section = SectionBlock()
    practice_list = PracticeListBlock()
    exceptions = ExceptionsBlock()
    contact_details = ContactDetailsBlock()
