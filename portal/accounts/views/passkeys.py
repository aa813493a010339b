"""Passkeys: django-otp-webauthn's ceremony views (JSON, called by its script)."""

from __future__ import annotations

from django.db import transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.utils import rewrite_exceptions

from portal.accounts import factors, throttling
from portal.accounts.decorators import (
    safe_next,
)
from portal.accounts.views.enrolment import _after_enrolment_url

# Passkeys: django-otp-webauthn's ceremony views (JSON, called by its script) ----


class PasskeyRefused(webauthn_errors.OTPWebAuthnApiError):
    status_code = 403
    default_code = "refused"


class PasskeyLocked(webauthn_errors.OTPWebAuthnApiError):
    status_code = 429
    default_code = "locked"


class PasskeyRegistrationMixin:
    """The library's registration steps, under the portal's rule for adding a
    factor (``factors.passkey_enrolment_check``)."""

    def check_can_register(self):
        try:
            factors.passkey_enrolment_check(user=self.request.user, request=self.request)
        except factors.FactorError as problem:
            raise PasskeyRefused(detail=str(problem)) from problem


class PasskeyRegistrationBegin(
    PasskeyRegistrationMixin, webauthn_views.BeginCredentialRegistrationView
):
    pass


class PasskeyRegistrationComplete(
    PasskeyRegistrationMixin, webauthn_views.CompleteCredentialRegistrationView
):
    def post(self, *args, **kwargs):
        request = self.request
        user = self.get_user()
        state = self.get_state()
        try:
            with transaction.atomic():
                with rewrite_exceptions(logger=webauthn_views._get_pywebauthn_logger()):
                    device = self.get_helper().register_complete(
                        user=user, state=state, data=request.data
                    )
                factors.passkey_enrolment_confirm(user=user, device=device, request=request)
        except factors.FactorError as problem:
            raise PasskeyRefused(detail=str(problem)) from problem
        next_url = _after_enrolment_url(request, safe_next(request), _("Passkey set up."))
        return JsonResponse({"id": device.pk, "redirect_url": next_url})


class PasskeyAuthenticationMixin:
    """Only a signed-in person may use a passkey, as a second factor (never
    instead of the password), and not while their account is locked."""

    def check_can_authenticate(self):
        user = self.request.user
        if not user.is_authenticated:
            raise webauthn_errors.NotAuthenticated()
        try:
            factors.passkey_verification_check(user=user, request=self.request)
        except throttling.Locked as locked:
            raise PasskeyLocked(detail=str(locked)) from locked
        except factors.FactorError as problem:
            raise PasskeyRefused(detail=str(problem)) from problem


class PasskeyAuthenticationBegin(
    PasskeyAuthenticationMixin, webauthn_views.BeginCredentialAuthenticationView
):
    pass


class PasskeyAuthenticationComplete(
    PasskeyAuthenticationMixin, webauthn_views.CompleteCredentialAuthenticationView
):
    def post(self, *args, **kwargs):
        try:
            return super().post(*args, **kwargs)
        except PasskeyLocked:
            raise
        except webauthn_errors.OTPWebAuthnApiError as error:
            try:
                factors.passkey_verification_failed(
                    user=self.request.user, request=self.request, reason=error.code
                )
            except throttling.Locked as locked:
                raise PasskeyLocked(detail=str(locked)) from error
            raise

    def complete_auth(self, device):
        # The library has checked the signature; the session is marked verified
        # by the same function as for every other factor.
        try:
            factors.passkey_verify(user=self.request.user, device=device, request=self.request)
        except throttling.Locked as locked:
            raise PasskeyLocked(detail=str(locked)) from locked
        except factors.FactorError as problem:
            raise PasskeyRefused(detail=str(problem)) from problem

    def get_success_url(self):
        return safe_next(self.request)
