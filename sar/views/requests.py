"""A person's requests: the list, one request with its timeline, answering our
question and withdrawing. Every lookup goes through ``sar.selectors``, scoped
to the signed-in person, so someone else's reference is a 404."""

from __future__ import annotations

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.accounts.decorators import personal_page
from sar import bundles, clock, deadlines, selectors
from sar.forms import AnswerForm, WithdrawRequestForm
from sar.models import ANSWERED_STATUSES, AccessRequest, CaseStatus, Delivery, Scope, SubjectKind
from sar.views.access import DOMAIN_ERRORS, posted
from sar.workflow import (
    allowed_transitions,
    parent_status_label,
    request_answer_clarification,
    request_withdraw,
)
from sar.workflow.table import PARENT_STATUS_LABELS, WORKING_LABEL

# Tag colours by the words the parent reads (never by the internal status, so
# a safeguarding hold looks exactly like any other work in progress).
_TAG_BY_LABEL = {
    PARENT_STATUS_LABELS[CaseStatus.SUBMITTED]: "govuk-tag--blue",
    PARENT_STATUS_LABELS[CaseStatus.AWAITING_EVIDENCE]: "govuk-tag--orange",
    PARENT_STATUS_LABELS[CaseStatus.CLARIFICATION]: "govuk-tag--orange",
    WORKING_LABEL: "govuk-tag--light-blue",
    PARENT_STATUS_LABELS[CaseStatus.RELEASED]: "govuk-tag--green",
    PARENT_STATUS_LABELS[CaseStatus.CLOSED]: "govuk-tag--grey",
    PARENT_STATUS_LABELS[CaseStatus.REFUSED]: "govuk-tag--red",
    PARENT_STATUS_LABELS[CaseStatus.WITHDRAWN]: "govuk-tag--grey",
}


def _people(access_request: AccessRequest) -> list[dict]:
    """Each person the request is about, with their status in the parent's words."""
    people = []
    for case in access_request.cases.all():
        label = parent_status_label(case)
        people.append(
            {
                "name": _("You") if case.kind == SubjectKind.REQUESTER else case.child.full_name,
                "status": label,
                "tag": _TAG_BY_LABEL.get(label, ""),
            }
        )
    return people


def _summary(access_request: AccessRequest) -> dict:
    statuses = {case.status for case in access_request.cases.all()}
    return {
        "access_request": access_request,
        "people": _people(access_request),
        "paused": access_request.is_paused,
        "waiting_for_evidence": access_request.clock_started_on is None,
        # Nobody waits for a reply any more: say so rather than show a date.
        "withdrawn": statuses == {CaseStatus.WITHDRAWN},
        "finished": statuses <= set(ANSWERED_STATUSES),
    }


@personal_page(methods=("GET",))
def request_list(request):
    requests = [_summary(r) for r in selectors.requests_for_parent(request.user)]
    return render(request, "sar/parent/requests.html", {"requests": requests})


def _clarification_open(access_request: AccessRequest) -> bool:
    return any(c.status == CaseStatus.CLARIFICATION for c in access_request.cases.all())


def _can_withdraw(access_request: AccessRequest, user) -> bool:
    return any(
        t.name == "withdraw"
        for case in access_request.cases.all()
        for t in allowed_transitions(case, user)
    )


def _question_asked(user, access_request: AccessRequest) -> str:
    """Our latest question, as the parent's timeline says it."""
    entry = (
        selectors.parent_timeline(user, access_request)
        .filter(kind="request_clarification")
        .order_by("-at", "-id")
        .first()
    )
    return entry.message if entry is not None else ""


@personal_page(methods=("GET",))
def request_detail(request, reference):
    access_request = selectors.request_for_parent(request.user, reference)
    timeline = list(selectors.parent_timeline(request.user, access_request).order_by("-at", "-id"))
    clarification = _clarification_open(access_request)
    downloads = _downloads(request.user, access_request)
    return render(
        request,
        "sar/parent/request_detail.html",
        {
            **_summary(access_request),
            "timeline": timeline,
            "clarification_open": clarification,
            "question": _question_asked(request.user, access_request) if clarification else "",
            "can_withdraw": _can_withdraw(access_request, request.user),
            "scope_label": Scope(access_request.scope).label,
            "delivery_label": Delivery(access_request.delivery).label,
            "projected_due_on": _projected_due_on(access_request),
            "downloads": downloads,
            "any_download_available": any(d["available"] for d in downloads),
        },
    )


def _downloads(user, access_request: AccessRequest) -> list[dict]:
    """Each person's records to download (or the words for one that has
    expired or been revoked); nothing for a case not yet approved or on hold."""
    several = len(access_request.cases.all()) > 1
    return [
        {
            "name": _people_name(d.case) if several else "",
            "available": d.state == bundles.DownloadState.AVAILABLE,
            "message": d.message,
            "bundle": d.bundle,
            "case_id": d.case.pk,
        }
        for d in bundles.downloads_for_parent(user, access_request)
    ]


def _people_name(case) -> str:
    return _("you") if case.kind == SubjectKind.REQUESTER else case.child.full_name


def _projected_due_on(access_request: AccessRequest):
    return clock.projected_due_on(access_request, today=deadlines.today())


@personal_page()
def request_answer(request, reference):
    access_request = selectors.request_for_parent(request.user, reference)
    if not _clarification_open(access_request) and request.method == "GET":
        return redirect("sar:request_detail", reference=reference)
    form = AnswerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            request_answer_clarification(
                parent=request.user, request=access_request, answer=form.cleaned_data["answer"]
            )
        except DOMAIN_ERRORS as error:
            form.add_error("answer", error.message)
        else:
            flash.success(request, _("Thank you. We have your answer and have restarted work."))
            return redirect("sar:request_detail", reference=reference)
    return render(
        request,
        "sar/parent/answer.html",
        {
            "form": form,
            "access_request": access_request,
            "question": _question_asked(request.user, access_request),
        },
    )


@personal_page()
def request_withdraw_view(request, reference):
    access_request = selectors.request_for_parent(request.user, reference)
    form = WithdrawRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            request_withdraw(
                parent=request.user, request=access_request, reason=form.cleaned_data["reason"]
            )
        except DOMAIN_ERRORS as error:
            form.add_error(None, error.message)
        else:
            flash.success(request, _("You have withdrawn your request."))
            return redirect("sar:request_detail", reference=reference)
    return render(
        request,
        "sar/parent/withdraw.html",
        {"form": form, "access_request": access_request, "people": _people(access_request)},
    )
