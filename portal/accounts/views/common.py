"""What the account pages share: allowed methods, session keys and the
passkey scripts' configuration."""

from urllib.parse import urlencode

from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_otp_webauthn.templatetags.otp_webauthn import get_configuration

GET_POST = require_http_methods(["GET", "POST"])
PENDING_TOTP_SESSION_KEY = "accounts_pending_totp"
EMAIL_SENT_SESSION_KEY = "accounts_email_code_sent"


def passkey_config(request, *, next_url: str) -> dict:
    """What django-otp-webauthn's scripts read from the page: rendered as a JSON
    block, which browsers do not run, so the Content-Security-Policy stays
    without inline script. Registration carries ``next`` to its last step."""
    complete = reverse("otp_webauthn:credential-registration-complete")
    return get_configuration(
        request, {"completeRegistrationUrl": f"{complete}?{urlencode({'next': next_url})}"}
    )
