"""Access rules for views, declared where the view is defined.

- ``verified_required``: a personal page. Signed in, email confirmed, a second
  factor set up and checked in this session; otherwise the person is sent to
  the step they are missing, with a safe ``next`` to come back to.
- ``recent_verification_required(window=...)``: also checked within the last
  ``window`` seconds (default ``OTP_STEP_UP_SECONDS``): changing a factor,
  downloading records.
- ``password_session_required``: signed in with a password, second factor not
  needed yet (the challenge, first enrolment, asking for recovery).
- ``parent_required``: not a staff account (staff have no parent data).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts import factors


def safe_next(request: HttpRequest, default: str = "accounts:dashboard") -> str:
    """The ``next`` parameter if it stays on this site, else ``default``
    (a URL name or path). Never an open redirect."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default) if ":" in default else default


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def missing_step(request: HttpRequest) -> HttpResponse | None:
    """Where a signed-in person must go before a personal page, or None."""
    user = request.user
    here = request.get_full_path()
    if not user.is_authenticated:
        return redirect_to_login(here, settings.LOGIN_URL)
    if not user.is_staff_account and user.email_verified_at is None:
        return redirect("accounts:email_unconfirmed")
    if factors.session_is_verified(request=request) and factors.verified_with_primary_factor(
        request=request
    ):
        # The usual case, on every personal page: the factor this session was
        # checked with is itself a primary one, so the person has one; no
        # need to load all their factors.
        return None
    if not factors.has_primary_factor(user=user):
        return redirect(with_next("accounts:enrol", here))
    if not factors.session_is_verified(request=request):
        return redirect(with_next("accounts:challenge", here))
    return None


def verified_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return missing_step(request) or view(request, *args, **kwargs)

    return wrapped


def recent_verification_required(view: Callable | None = None, *, window: int | None = None):
    """Usable bare (``@recent_verification_required``) or with a window."""

    def decorator(view_func: Callable) -> Callable:
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            response = missing_step(request)
            if response is not None:
                return response
            if not factors.verified_recently(request=request, window=window):
                url = reverse("accounts:challenge")
                query = urlencode({"next": request.get_full_path(), "step_up": "1"})
                return redirect(f"{url}?{query}")
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def password_session_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return view(request, *args, **kwargs)

    return wrapped


def parent_required(view: Callable) -> Callable:
    """Staff accounts are sent to their account page (which points them to the
    admin): they have no parent data."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff_account:
            return redirect("accounts:dashboard")
        return view(request, *args, **kwargs)

    return wrapped


def enrolment_allowed(view: Callable) -> Callable:
    """Setting up a factor: a person with no factor yet may do it on their
    password (after confirming their email); once they have one, adding
    another needs a recent check, or a stolen password could add a factor."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not user.is_staff_account and user.email_verified_at is None:
            return redirect("accounts:email_unconfirmed")
        if factors.has_primary_factor(user=user):
            return recent_verification_required(view)(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapped


def personal_page(methods=("GET", "POST")) -> Callable:
    """A parent's page with personal data (requests, appointments, consents):
    never cached; signed in with a second factor checked in this session (else
    sent to the step missing, and back); not a staff account."""

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
