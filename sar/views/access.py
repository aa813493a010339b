"""Who may open the parent's pages, declared once for all of them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts.decorators import parent_required, verified_required
from sar.exceptions import SarError

# What the domain refuses with a message for the person (InvalidTransition,
# NotPermitted, RuleViolation and their kin): shown in the error summary.
DOMAIN_ERRORS = (SarError,)


def personal_page(methods=("GET", "POST")) -> Callable:
    """A page with personal data: never cached; signed in with a second factor
    checked in this session (else sent to the step missing, and back);
    not a staff account (staff have no requests of their own here)."""

    def decorator(view: Callable) -> Callable:
        @never_cache
        @verified_required
        @parent_required
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


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
