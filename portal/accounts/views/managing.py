"""Managing factors, the lost-factor request and the account page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.accounts import factors, forms
from portal.accounts.decorators import (
    password_session_required,
    recent_verification_required,
    verified_required,
    with_next,
)
from portal.accounts.factors import FactorKind
from portal.accounts.recovery import recovery_pending_for, recovery_request
from portal.accounts.views.common import GET_POST


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
