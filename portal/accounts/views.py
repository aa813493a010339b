"""Account pages on the public site. Each view parses a form, calls one domain
function and renders or redirects; who may enter is declared by decorators."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.templatetags.otp_webauthn import get_configuration
from django_otp_webauthn.utils import rewrite_exceptions

from portal.accounts import authentication, factors, forms, registration, throttling
from portal.accounts.decorators import (
    enrolment_allowed,
    password_session_required,
    recent_verification_required,
    safe_next,
    verified_required,
    with_next,
)
from portal.accounts.factors import FactorKind
from portal.accounts.recovery import recovery_pending_for, recovery_request

GET_POST = require_http_methods(["GET", "POST"])
PENDING_TOTP_SESSION_KEY = "accounts_pending_totp"
EMAIL_SENT_SESSION_KEY = "accounts_email_code_sent"


# Sign up and email confirmation ------------------------------------------------


@never_cache
@sensitive_post_parameters("password", "password_confirm")
@GET_POST
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        registration.account_sign_up(
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            request=request,
        )
        # The same page whether or not the address already had an account.
        return redirect("accounts:sign_up_done")
    return render(request, "accounts/sign_up.html", {"form": form})


@require_GET
def sign_up_done(request):
    return render(
        request,
        "accounts/sign_up_done.html",
        {"days": settings.EMAIL_VERIFICATION_SECONDS // (24 * 60 * 60)},
    )


@never_cache
@GET_POST
def confirm_email(request, token):
    try:
        registration.confirmation_user(token=token)
    except registration.InvalidLink:
        return render(request, "accounts/confirm_email_invalid.html", status=400)
    if request.method == "POST":
        user = registration.email_confirm(token=token, request=request)
        messages.success(request, _("Your email address is confirmed."))
        if request.user.is_authenticated and request.user.pk == user.pk:
            return redirect("accounts:enrol")
        return redirect("accounts:sign_in")
    return render(request, "accounts/confirm_email.html")


@never_cache
@password_session_required
@GET_POST
def email_unconfirmed(request):
    user = request.user
    if user.email_verified_at is not None or user.is_staff_account:
        return redirect("accounts:dashboard")
    if request.method == "POST":
        address = throttling.client_address(request)
        try:
            throttling.check(limit=throttling.EMAIL_CODE_ACCOUNT, value=str(user.pk))
            throttling.check(limit=throttling.EMAIL_CODE_ADDRESS, value=address)
            registration.send_confirmation_email(user=user)
            throttling.register_failure(limit=throttling.EMAIL_CODE_ACCOUNT, value=str(user.pk))
        except throttling.Locked as locked:
            messages.error(request, str(locked))
        else:
            messages.success(request, _("We have sent you a new link."))
        return redirect("accounts:email_unconfirmed")
    return render(request, "accounts/email_unconfirmed.html")


# Sign in and out ---------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password")
@GET_POST
def sign_in(request):
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authentication.sign_in(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except (authentication.SignInFailed, throttling.Locked) as error:
            form.add_error(None, str(error))
        else:
            # The page asked for sends the person on to the challenge (or to
            # set up a factor) and back.
            return redirect(next_url)
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


@require_POST
def sign_out(request):
    authentication.sign_out(request=request)
    return redirect("accounts:signed_out")


@require_GET
def signed_out(request):
    return render(request, "accounts/signed_out.html")


# The second-factor challenge ----------------------------------------------------


@never_cache
@sensitive_post_parameters("code")
@password_session_required
@GET_POST
def challenge(request):
    user = request.user
    next_url = safe_next(request)
    available = factors.factors_for_user(user=user)
    primaries = factors.primary_factors(user=user)
    if not primaries:
        return redirect(with_next("accounts:enrol", next_url))
    chosen = request.POST.get("factor") or request.GET.get("factor")
    # A passkey has its own button (shown where the browser can use it), so the
    # code form starts on a factor with a code when the person has one.
    device = (factors.factor_for_user(user=user, persistent_id=chosen) if chosen else None) or next(
        (d for d in primaries if factors.factor_kind(d) != FactorKind.PASSKEY), primaries[0]
    )
    kind = factors.factor_kind(device)
    form = forms.CodeForm(
        request.POST if request.POST.get("action") == "verify" else None,
        **_code_form_options(kind),
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send" and kind == FactorKind.EMAIL:
                factors.email_code_send(user=user, device=device, request=request)
                request.session[EMAIL_SENT_SESSION_KEY] = device.persistent_id
                messages.success(request, _("We have sent a code to your email address."))
                return redirect(_challenge_url(next_url, device, request))
            if form.is_valid():
                factors.factor_verify(
                    user=user, device=device, code=form.cleaned_data["code"], request=request
                )
                request.session.pop(EMAIL_SENT_SESSION_KEY, None)
                return redirect(next_url)
        except (factors.FactorError, throttling.Locked) as error:
            form = forms.CodeForm(request.POST, **_code_form_options(kind))
            form.is_valid()
            form.add_error("code", str(error))
    others = [
        {
            "device": d,
            "label": _alternative_label(factors.factor_kind(d)),
            "url": _challenge_url(next_url, d, request),
        }
        for d in available
        if d != device and factors.factor_kind(d) != FactorKind.PASSKEY
    ]
    has_passkey = factors.has_passkey(user=user)
    context = {
        "form": form,
        "device": device,
        "kind": kind.value,
        "next": next_url,
        "step_up": request.GET.get("step_up") == "1",
        "code_sent": request.session.get(EMAIL_SENT_SESSION_KEY) == device.persistent_id,
        "others": others,
        "recovery_pending": recovery_pending_for(user=user) is not None,
        "passkey": has_passkey,
        "passkey_config": _passkey_config(request, next_url=next_url) if has_passkey else None,
    }
    return render(request, "accounts/challenge.html", context)


def _code_form_options(kind: FactorKind) -> dict:
    if kind == FactorKind.BACKUP:
        return {
            "label": _("Backup code"),
            "help_text": _("Each backup code is 8 letters and numbers, and works once."),
            "autocomplete": "off",
        }
    if kind == FactorKind.EMAIL:
        return {"label": _("Security code"), "help_text": _("The code is 6 numbers.")}
    return {
        "label": _("Security code"),
        "help_text": _("Enter the 6-digit code shown in your authenticator app."),
    }


def _alternative_label(kind: FactorKind) -> str:
    return {
        FactorKind.APP: _("Use your authenticator app"),
        FactorKind.EMAIL: _("Get a code by email"),
        FactorKind.BACKUP: _("Use a backup code"),
    }[kind]


def _challenge_url(next_url: str, device, request) -> str:
    query = {"next": next_url, "factor": device.persistent_id}
    if request.GET.get("step_up") == "1":
        query["step_up"] = "1"
    return f"{reverse('accounts:challenge')}?{urlencode(query)}"


# Setting up factors -------------------------------------------------------------


@never_cache
@enrolment_allowed
@GET_POST
def enrol(request):
    user = request.user
    next_url = safe_next(request)
    kinds = factors.allowed_kinds(user=user) & factors.PRIMARY_KINDS
    # Passkeys are offered beside the codes, only where the browser can use them;
    # staff, who have one kind of code, go straight to it.
    code_kinds = kinds - {FactorKind.PASSKEY}
    if code_kinds == {FactorKind.APP}:
        return redirect(with_next("accounts:enrol_totp", next_url))
    form = forms.ChooseFactorForm(request.POST or None, kinds=code_kinds)
    if request.method == "POST" and form.is_valid():
        target = {
            FactorKind.APP.value: "accounts:enrol_totp",
            FactorKind.EMAIL.value: "accounts:enrol_email",
        }[form.cleaned_data["method"]]
        return redirect(with_next(target, next_url))
    context = {
        "form": form,
        "next": next_url,
        "first": not factors.has_primary_factor(user=user),
        "passkey_url": with_next("accounts:enrol_passkey", next_url)
        if FactorKind.PASSKEY in kinds
        else "",
    }
    return render(request, "accounts/enrol.html", context)


@never_cache
@sensitive_post_parameters("code")
@enrolment_allowed
@GET_POST
def enrol_totp(request):
    user = request.user
    next_url = safe_next(request)
    device = factors.totp_pending(
        user=user, device_id=request.session.get(PENDING_TOTP_SESSION_KEY)
    )
    if device is None:
        device = factors.totp_enrolment_start(user=user)
        request.session[PENDING_TOTP_SESSION_KEY] = device.pk
    form = forms.CodeForm(
        request.POST or None,
        label=_("Enter the 6-digit code from the app"),
        help_text=_("The code changes every 30 seconds."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            factors.totp_enrolment_confirm(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except (factors.FactorError, throttling.Locked) as error:
            form.add_error("code", str(error))
        else:
            request.session.pop(PENDING_TOTP_SESSION_KEY, None)
            return _after_enrolment(request, next_url, _("Authenticator app set up."))
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": factors.totp_qr_svg(device=device),
        "key_text": factors.totp_key_text(device=device),
    }
    return render(request, "accounts/enrol_totp.html", context)


@never_cache
@sensitive_post_parameters("code")
@enrolment_allowed
@GET_POST
def enrol_email(request):
    user = request.user
    next_url = safe_next(request)
    if FactorKind.EMAIL not in factors.allowed_kinds(user=user):
        raise Http404
    device = factors.email_pending(user=user)
    form = forms.CodeForm(
        request.POST if request.POST.get("action") == "verify" else None,
        label=_("Security code"),
        help_text=_("The code is 6 numbers. It works for 10 minutes."),
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send":
                factors.email_enrolment_start(user=user, request=request)
                messages.success(request, _("We have sent a code to your email address."))
                return redirect(with_next("accounts:enrol_email", next_url))
            if device is not None and form.is_valid():
                factors.email_enrolment_confirm(
                    user=user, device=device, code=form.cleaned_data["code"], request=request
                )
                return _after_enrolment(request, next_url, _("Email codes set up."))
        except (factors.FactorError, throttling.Locked) as error:
            form = forms.CodeForm(request.POST, label=_("Security code"))
            form.is_valid()
            form.add_error("code", str(error))
    context = {"form": form, "next": next_url, "code_sent": device is not None and device.token}
    return render(request, "accounts/enrol_email.html", context)


@never_cache
@enrolment_allowed
@require_GET
def enrol_passkey(request):
    """The page with the "Add a passkey" button; django-otp-webauthn's script
    runs the ceremony against the views below and then follows the address
    they answer with."""
    if FactorKind.PASSKEY not in factors.allowed_kinds(user=request.user):
        raise Http404
    next_url = safe_next(request)
    context = {
        "next": next_url,
        "passkey_config": _passkey_config(request, next_url=next_url),
        "other_url": with_next("accounts:enrol", next_url),
    }
    return render(request, "accounts/enrol_passkey.html", context)


def _after_enrolment(request, next_url, message):
    return redirect(_after_enrolment_url(request, next_url, message))


def _after_enrolment_url(request, next_url, message) -> str:
    """Where to go once a factor is set up: the backup codes, shown once, if
    the person has none yet; otherwise the list of factors."""
    user = request.user
    messages.success(request, message)
    if not factors.backup_codes_remaining(user=user):
        codes = factors.backup_codes_generate(user=user, request=request)
        request.session[factors.PENDING_CODES_SESSION_KEY] = codes
        return with_next("accounts:backup_codes", next_url)
    return reverse("accounts:factors")


# Passkeys: django-otp-webauthn's ceremony views (JSON, called by its script) ----


def _passkey_config(request, *, next_url: str) -> dict:
    """What django-otp-webauthn's scripts read from the page: rendered as a JSON
    block, which browsers do not run, so the Content-Security-Policy stays
    without inline script. Registration carries ``next`` to its last step."""
    complete = reverse("otp_webauthn:credential-registration-complete")
    return get_configuration(
        request, {"completeRegistrationUrl": f"{complete}?{urlencode({'next': next_url})}"}
    )


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


# Backup codes -------------------------------------------------------------------


@never_cache
@verified_required
@GET_POST
def backup_codes(request):
    """Shows new backup codes once. Continuing forgets them."""
    codes = request.session.get(factors.PENDING_CODES_SESSION_KEY)
    next_url = safe_next(request)
    if not codes:
        return redirect("accounts:factors")
    if request.method == "POST":
        del request.session[factors.PENDING_CODES_SESSION_KEY]
        return redirect(next_url)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})


@never_cache
@verified_required
@require_POST
def backup_codes_download(request):
    codes = request.session.get(factors.PENDING_CODES_SESSION_KEY)
    if not codes:
        return redirect("accounts:factors")
    response = HttpResponse(
        factors.backup_codes_text(codes=codes), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="backup-codes.txt"'
    return response


@never_cache
@recent_verification_required
@GET_POST
def backup_codes_regenerate(request):
    if request.method == "POST":
        codes = factors.backup_codes_generate(user=request.user, request=request, regenerate=True)
        request.session[factors.PENDING_CODES_SESSION_KEY] = codes
        return redirect(with_next("accounts:backup_codes", reverse("accounts:factors")))
    return render(request, "accounts/backup_codes_regenerate.html")


# Managing factors ---------------------------------------------------------------


@never_cache
@verified_required
@require_GET
def factor_list(request):
    user = request.user
    rows = [
        {
            "device": device,
            "kind": factors.factor_kind(device).value,
            "label": factors.KIND_LABELS[factors.factor_kind(device)],
            "removable": factors.factor_kind(device) != FactorKind.BACKUP,
        }
        for device in factors.factors_for_user(user=user)
    ]
    context = {
        "rows": rows,
        "backup_remaining": factors.backup_codes_remaining(user=user),
        "only_one": len(factors.primary_factors(user=user)) == 1,
        "passkey_url": with_next("accounts:enrol_passkey", reverse("accounts:factors"))
        if FactorKind.PASSKEY in factors.allowed_kinds(user=user)
        else "",
    }
    return render(request, "accounts/factors.html", context)


@never_cache
@recent_verification_required
@GET_POST
def factor_remove(request, persistent_id):
    user = request.user
    device = factors.factor_for_user(user=user, persistent_id=persistent_id)
    if device is None:
        raise Http404
    kind = factors.factor_kind(device)
    error = ""
    if request.method == "POST":
        try:
            factors.factor_remove(user=user, device=device, request=request)
        except factors.FactorError as problem:
            error = str(problem)
        else:
            messages.success(
                request, _("%(factor)s removed.") % {"factor": factors.KIND_LABELS[kind]}
            )
            return redirect("accounts:factors")
    context = {"device": device, "label": factors.KIND_LABELS[kind], "error": error}
    return render(request, "accounts/factor_remove.html", context, status=400 if error else 200)


# Lost factor --------------------------------------------------------------------


@never_cache
@password_session_required
@GET_POST
def recovery(request):
    user = request.user
    if factors.session_is_verified(request=request):
        return redirect("accounts:factors")
    pending = recovery_pending_for(user=user)
    form = forms.RecoveryRequestForm(request.POST or None)
    if pending is None and request.method == "POST" and form.is_valid():
        recovery_request(user=user, explanation=form.cleaned_data["explanation"], request=request)
        return redirect("accounts:recovery_done")
    if pending is not None:
        return redirect("accounts:recovery_done")
    return render(request, "accounts/recovery.html", {"form": form})


@never_cache
@password_session_required
@require_GET
def recovery_done(request):
    return render(request, "accounts/recovery_done.html")


# Your account -------------------------------------------------------------------


@never_cache
@verified_required
@require_GET
def dashboard(request):
    user = request.user
    if user.is_staff_account:
        return render(request, "accounts/dashboard_staff.html")
    context = {
        "factor_count": len(factors.primary_factors(user=user)),
        "backup_remaining": factors.backup_codes_remaining(user=user),
    }
    return render(request, "accounts/dashboard.html", context)


# Passwords ----------------------------------------------------------------------


@method_decorator([never_cache, verified_required], name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:dashboard")

    def form_valid(self, form):
        form.save()
        # Keeps this session; every other session of the account ends.
        update_session_auth_hash(self.request, form.user)
        authentication.password_changed(user=form.user, request=self.request, how="changed")
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.success_url)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def get_extra_email_context(self):
        return {"base_url": settings.BASE_URL, "service_name": settings.SERVICE_NAME}

    def form_valid(self, form):
        # Limit how often one address (and one client) can be sent links; when
        # over the limit, show the same page and send nothing.
        email = form.cleaned_data["email"]
        address = throttling.client_address(self.request)
        try:
            throttling.check(limit=throttling.EMAIL_CODE_ACCOUNT, value=email)
            throttling.check(limit=throttling.EMAIL_CODE_ADDRESS, value=address)
        except throttling.Locked:
            return redirect(self.success_url)
        for limit, value in (
            (throttling.EMAIL_CODE_ACCOUNT, email),
            (throttling.EMAIL_CODE_ADDRESS, address),
        ):
            with contextlib.suppress(throttling.Locked):
                throttling.register_failure(limit=limit, value=value, request=self.request)
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        authentication.password_changed(user=form.user, request=self.request, how="reset")
        return response


password_reset = never_cache(PasswordResetView.as_view())
password_reset_confirm = PasswordResetConfirmView.as_view()
password_change = sensitive_post_parameters()(PasswordChangeView.as_view())
