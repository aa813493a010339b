"""Account pages on the public site. Each view parses a form, calls one domain
function and renders or redirects; who may enter is declared by decorators.
One module a concern; portal/accounts/urls.py reaches them all from here."""

from portal.accounts.views.backup_codes import (
    backup_codes,
    backup_codes_download,
    backup_codes_regenerate,
)
from portal.accounts.views.enrolment import enrol, enrol_email, enrol_passkey, enrol_totp
from portal.accounts.views.managing import (
    dashboard,
    factor_list,
    factor_remove,
    recovery,
    recovery_done,
)
from portal.accounts.views.passkeys import (
    PasskeyAuthenticationBegin,
    PasskeyAuthenticationComplete,
    PasskeyRegistrationBegin,
    PasskeyRegistrationComplete,
)
from portal.accounts.views.passwords import (
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
    password_change,
    password_reset,
    password_reset_confirm,
)
from portal.accounts.views.registration import (
    confirm_email,
    email_unconfirmed,
    sign_up,
    sign_up_done,
)
from portal.accounts.views.signing_in import challenge, sign_in, sign_out, signed_out

__all__ = [
    "PasskeyAuthenticationBegin",
    "PasskeyAuthenticationComplete",
    "PasskeyRegistrationBegin",
    "PasskeyRegistrationComplete",
    "PasswordChangeView",
    "PasswordResetConfirmView",
    "PasswordResetView",
    "backup_codes",
    "backup_codes_download",
    "backup_codes_regenerate",
    "challenge",
    "confirm_email",
    "dashboard",
    "email_unconfirmed",
    "enrol",
    "enrol_email",
    "enrol_passkey",
    "enrol_totp",
    "factor_list",
    "factor_remove",
    "password_change",
    "password_reset",
    "password_reset_confirm",
    "recovery",
    "recovery_done",
    "sign_in",
    "sign_out",
    "sign_up",
    "sign_up_done",
    "signed_out",
]
