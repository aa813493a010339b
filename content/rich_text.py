"""The admin's rich text editor (Draftail), made safe against what no browser
sends.

Draftail posts each rich text field as its own JSON (a "contentstate"), and
Wagtail converts it to HTML with no guard: a value that is not that JSON, from
a forged request or a broken browser extension, raises an error the admin
shows as a server error. Here it is kept as plain text instead, escaped in one
paragraph, so nothing that was sent is lost, no markup gets through, and the
field's own checks (a null character, a required field) still apply.
"""

from django.utils.html import format_html
from wagtail.admin.rich_text import DraftailRichTextArea as WagtailDraftailRichTextArea

# What converting a value that is not contentstate raises: not JSON
# (ValueError), JSON of another shape (TypeError, KeyError, AttributeError,
# IndexError), or nested deeper than Python will parse (RecursionError).
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)


class DraftailRichTextArea(WagtailDraftailRichTextArea):
    def value_from_datadict(self, data, files, name):
        try:
            return super().value_from_datadict(data, files, name)
        except UNREADABLE:
            raw = data.get(name) or ""
            return format_html("<p>{}</p>", raw) if raw.strip() else ""
