"""Who we can share a person's information with: their consents to disclose,
and withdrawing one. Lookups through ``sar.selectors``, scoped to the person."""

from __future__ import annotations

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.decorators import personal_page
from sar import deadlines, selectors
from sar.consent import consent_withdraw
from sar.forms import ConfirmForm
from sar.models import ConsentToDisclose
from sar.views.access import DOMAIN_ERRORS, posted

ACTIVE = "active"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"
NOT_STARTED = "not_started"


def consent_state(consent: ConsentToDisclose, today) -> str:
    if consent.withdrawn_at is not None:
        return WITHDRAWN
    if consent.is_active_on(today):
        return ACTIVE
    return NOT_STARTED if today < consent.given_on else EXPIRED


_STATE_LABELS = {
    ACTIVE: (gettext_lazy("Active"), "govuk-tag--green"),
    EXPIRED: (gettext_lazy("Expired"), "govuk-tag--grey"),
    WITHDRAWN: (gettext_lazy("Withdrawn"), "govuk-tag--grey"),
    NOT_STARTED: (gettext_lazy("Not started"), "govuk-tag--blue"),
}


def _row(consent: ConsentToDisclose, today) -> dict:
    state = consent_state(consent, today)
    label, tag = _STATE_LABELS[state]
    return {
        "consent": consent,
        "about": consent.child.full_name if consent.child else _("You"),
        "state": state,
        "label": label,
        "tag": tag,
        "can_withdraw": state in (ACTIVE, NOT_STARTED),
    }


@personal_page(methods=("GET",))
def consent_list(request):
    today = deadlines.today()
    rows = [_row(c, today) for c in selectors.consents_for_parent(request.user)]
    return render(request, "sar/parent/consents.html", {"rows": rows})


@personal_page()
def consent_withdraw_view(request, pk):
    consent = selectors.consent_for_parent(request.user, pk)
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            consent_withdraw(parent=request.user, consent=consent)
        except DOMAIN_ERRORS as error:
            form.add_error(None, error.message)
        else:
            message = _("You have withdrawn your consent to share with %(to)s.")
            flash.success(request, message % {"to": consent.recipient})
            return redirect("sar:consents")
    return render(
        request,
        "sar/parent/consent_withdraw.html",
        {"form": form, "row": _row(consent, deadlines.today())},
    )
