"""Setting up a second factor."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from portal.accounts import factors, forms, throttling
from portal.accounts.decorators import (
    enrolment_allowed,
    safe_next,
    with_next,
)
from portal.accounts.factors import FactorKind
from portal.accounts.views.common import GET_POST, PENDING_TOTP_SESSION_KEY, passkey_config


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
        "passkey_config": passkey_config(request, next_url=next_url),
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
