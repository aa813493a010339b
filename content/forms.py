"""The admin form of every page type in ``content.models``."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

NULL_CHARACTER = _(
    "The page holds a hidden character (a null character) that cannot be saved. "
    "Remove it: copy the text again from its source, or type it."
)


class PageForm(WagtailAdminPageForm):
    """Wagtail's page form, refusing a null character anywhere in what was
    posted. Text fields refuse one already; but the body's hidden parts (a
    block's id, which the editor's script fills in) are stored as sent, and
    PostgreSQL refuses a null character in the page's JSON when the page is
    published: the server error an editor would see, long after the draft
    was saved, is a message on the form instead."""

    def clean(self):
        cleaned_data = super().clean()
        # Only when nothing else is wrong: a text field reports its own.
        if not self.errors and _has_null_character(self.data):
            self.add_error(None, NULL_CHARACTER)
        return cleaned_data


def _has_null_character(data) -> bool:
    """Whether any name or value posted holds a null character (``data`` is
    the request's QueryDict, or a plain dict where code builds the form)."""
    items = data.lists() if hasattr(data, "lists") else data.items()
    for key, values in items:
        if not isinstance(values, list | tuple):
            values = [values]
        if "\x00" in str(key) or any(isinstance(v, str) and "\x00" in v for v in values):
            return True
    return False
