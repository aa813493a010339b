"""Account URLs, mounted at /account/ by portal/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from portal.accounts import views

app_name = "accounts"

# Every page that shows personal data or changes the account: each must refuse
# a session without a verified second factor. The access test in
# tests/portal/accounts/test_access.py runs over this list; later issues add
# their personal pages' URL names here (names without arguments).
PERSONAL_URL_NAMES = [
    "accounts:dashboard",
    "accounts:factors",
    "accounts:backup_codes_regenerate",
    "accounts:password_change",
    # The right of access (sar/urls.py): asking for records, your requests, sharing.
    "sar:requests",
    "sar:start",
    "sar:who",
    "sar:children",
    "sar:child_add",
    "sar:what",
    "sar:what_detail",
    "sar:how",
    "sar:adjustments",
    "sar:code",
    "sar:check",
    "sar:consents",
    "sar:my_data",
    # Appointments (appointments/urls.py): booking and your appointments.
    "appointments:list",
    "appointments:book",
    "appointments:book_location",
    "appointments:book_adjustments",
    "appointments:book_date",
    "appointments:book_time",
    "appointments:book_check",
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/check-your-email/", views.sign_up_done, name="sign_up_done"),
    path("confirm-email/", views.email_unconfirmed, name="email_unconfirmed"),
    path("confirm-email/<str:token>/", views.confirm_email, name="confirm_email"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("verify/", views.challenge, name="challenge"),
    path("two-factor/", views.factor_list, name="factors"),
    path("two-factor/set-up/", views.enrol, name="enrol"),
    path("two-factor/set-up/app/", views.enrol_totp, name="enrol_totp"),
    path("two-factor/set-up/email/", views.enrol_email, name="enrol_email"),
    path("two-factor/set-up/passkey/", views.enrol_passkey, name="enrol_passkey"),
    path("two-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path(
        "two-factor/backup-codes/download/",
        views.backup_codes_download,
        name="backup_codes_download",
    ),
    path(
        "two-factor/backup-codes/new/",
        views.backup_codes_regenerate,
        name="backup_codes_regenerate",
    ),
    path("two-factor/<path:persistent_id>/remove/", views.factor_remove, name="factor_remove"),
    path("lost-second-factor/", views.recovery, name="recovery"),
    path("lost-second-factor/sent/", views.recovery_done, name="recovery_done"),
    path("password/change/", views.password_change, name="password_change"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password_reset_sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

# The passkey ceremony: JSON endpoints called by django-otp-webauthn's script,
# mounted by portal/urls.py under the library's namespace ("otp_webauthn"),
# which its configuration names. They are the library's views with the
# portal's rules (portal.accounts.views), not the library's own URLconf.
passkey_urlpatterns = [
    path(
        "registration/begin/",
        views.PasskeyRegistrationBegin.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        views.PasskeyRegistrationComplete.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        views.PasskeyAuthenticationBegin.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        views.PasskeyAuthenticationComplete.as_view(),
        name="credential-authentication-complete",
    ),
    # The script's messages (a script from this origin, as the policy requires).
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
