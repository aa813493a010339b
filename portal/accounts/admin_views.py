"""Staff screens in the Wagtail admin: second-factor recovery requests.

Caseworkers and administrators (``accounts.reset_factors``) see who is waiting,
record how they checked the person's identity, and reset or refuse. The rule
itself lives in ``portal.accounts.recovery``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts import recovery
from portal.accounts.forms import RecoveryCompleteForm
from portal.accounts.models import RecoveryRequest

PERMISSION = "accounts.reset_factors"
COMPLETED_MESSAGE = (
    "Second factors removed. The person will set up new ones when they next sign in."
)
COMPLETED_MESSAGE = (
    "Second factors removed. The person will set up new ones when they next sign in."
)


def _require_permission(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


@never_cache
def recovery_index(request):
    _require_permission(request)
    context = {
        "page_title": _("Sign-in resets"),
        "header_icon": "key",
        "pending": recovery.recoveries_pending(),
        "recent": RecoveryRequest.objects.exclude(status=RecoveryRequest.Status.PENDING)
        .select_related("user", "resolved_by")
        .order_by("-resolved_at")[:20],
    }
    return TemplateResponse(request, "accounts/admin/recovery_index.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_detail(request, pk):
    _require_permission(request)
    item = get_object_or_404(RecoveryRequest.objects.select_related("user"), pk=pk)
    form = RecoveryCompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "complete":
                recovery.recovery_complete(
                    recovery=item,
                    staff=request.user,
                    identity_check=form.cleaned_data["identity_check"],
                    notes=form.cleaned_data["notes"],
                    request=request,
                )
                messages.success(request, _(COMPLETED_MESSAGE))
            else:
                recovery.recovery_refuse(
                    recovery=item,
                    staff=request.user,
                    notes=form.cleaned_data["notes"],
                    request=request,
                )
                messages.success(request, _("Request closed. Nothing was changed."))
        except recovery.RecoveryError as error:
            messages.error(request, str(error))
        return redirect("accounts_recovery_index")
    context = {
        "page_title": _("Sign-in reset request"),
        "header_icon": "key",
        "item": item,
        "form": form,
    }
    return TemplateResponse(request, "accounts/admin/recovery_detail.html", context)
