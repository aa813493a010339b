"""Sign-up and email confirmation pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from portal.accounts import forms, registration, throttling
from portal.accounts.decorators import (
    password_session_required,
)
from portal.accounts.views.common import GET_POST


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
