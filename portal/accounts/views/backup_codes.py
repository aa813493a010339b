"""Backup codes: shown once, downloadable, regenerable."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.accounts import factors
from portal.accounts.decorators import (
    recent_verification_required,
    safe_next,
    verified_required,
    with_next,
)
from portal.accounts.views.common import GET_POST


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
