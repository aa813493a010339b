"""What the parent's request pages share: who may open them (the one
``personal_page`` rule in portal.accounts.decorators), and how domain refusals
and page errors reach the error summary."""

from __future__ import annotations

from sar.exceptions import SarError

# What the domain refuses with a message for the person (InvalidTransition,
# NotPermitted, RuleViolation and their kin): shown in the error summary.
DOMAIN_ERRORS = (SarError,)


def posted(request):
    """The POST data to bind a form to, or None on GET (an empty POST still
    binds, so it is validated rather than shown as a fresh page)."""
    return request.POST if request.method == "POST" else None


class PageErrors:
    """Errors for a page without form fields (check your answers, a
    confirmation button), in the shape ``portal/includes/error_summary.html``
    and ``portal/form_page.html`` read from a form."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, text: str, href: str = "#main-content") -> None:
        self.items.append({"href": href, "text": text})

    @property
    def errors(self) -> bool:
        return bool(self.items)

    def error_summary_items(self) -> list[dict]:
        return self.items
