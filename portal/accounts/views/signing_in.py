"""Signing in and out, and the second-factor challenge."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from portal.accounts import authentication, factors, forms, throttling
from portal.accounts.decorators import (
    password_session_required,
    safe_next,
    with_next,
)
from portal.accounts.factors import FactorKind
from portal.accounts.recovery import recovery_pending_for
from portal.accounts.views.common import EMAIL_SENT_SESSION_KEY, GET_POST, passkey_config


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
        "passkey_config": passkey_config(request, next_url=next_url) if has_passkey else None,
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
