"""Session lifetime and the staff second-factor gate."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.authentication import SIGNED_IN_AT_SESSION_KEY, sign_out
from portal.accounts.decorators import missing_step

LAST_SEEN_SESSION_KEY = "accounts_last_seen"
# Write the last-seen time at most this often, not on every request.
LAST_SEEN_RESOLUTION = 30
IDLE_MESSAGE = "You were signed out because you had not done anything for %(minutes)d minutes."
EXPIRED_MESSAGE = "You were signed out because you had been signed in for too long."


class SessionTimeoutMiddleware:
    """Ends a signed-in session after ``SESSION_IDLE_SECONDS`` without a request,
    and ``SESSION_COOKIE_AGE`` after sign-in whatever the activity (the cookie's
    own expiry moves forward each time the session is saved, so it cannot hold
    the absolute limit by itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT_SESSION_KEY, now)
            last_seen = session.get(LAST_SEEN_SESSION_KEY, now)
            reason = ""
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                reason = "idle"
                message = _(IDLE_MESSAGE) % {"minutes": settings.SESSION_IDLE_SECONDS // 60}
            elif now - signed_in_at > settings.SESSION_COOKIE_AGE:
                reason = "expired"
                message = _(EXPIRED_MESSAGE)
            if reason:
                sign_out(request=request, reason=f"session {reason}")
                messages.info(request, message)
                return redirect(settings.LOGIN_URL)
            if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN_SESSION_KEY not in session:
                session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    """The Wagtail admin opens only for a session verified with a staff factor.

    Any signed-in request under /admin/ without one is sent to the challenge
    (or to set up a factor first); Wagtail's own login and password reset pages
    are replaced by the portal's, which are throttled and audited. Wagtail then
    applies its own rule (``wagtailadmin.access_admin``), which parents never
    have.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_root = reverse("wagtailadmin_home")
        path = request.path
        if path.startswith(admin_root):
            if path.startswith(reverse("wagtailadmin_login")):
                next_url = request.GET.get("next", admin_root)
                return redirect(f"{reverse('accounts:sign_in')}?{urlencode({'next': next_url})}")
            if path.startswith(admin_root + "password_reset/"):
                return redirect("accounts:password_reset")
            if request.user.is_authenticated and path != reverse("wagtailadmin_logout"):
                response = missing_step(request)
                if response is not None:
                    return response
        return self.get_response(request)
