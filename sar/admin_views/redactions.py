"""Reviewing a subject case's records for redaction: the overview of the
records in scope with the progress of the review, and the redaction log; one
record at a time, with its suggestions highlighted and every decision on it,
is ``redaction_record``.

Every change goes through one function of ``sar.redactions``, which says who
may decide and when; these views parse, call it, and show its message when it
says no. Opening a record reads its text ("sar.record.viewed", with the
purpose); the overview and the log are reads too ("sar.records.viewed",
"sar.redaction_log.viewed"). Any member of case staff may read; the forms
are shown to those the domain lets decide (``may_decide``).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages as admin_messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.audit.events import record as audit
from sar import roles
from sar.admin_views.records import CaseRecordsMixin
from sar.admin_views.redaction_forms import (
    AcceptAllForm,
)
from sar.exceptions import SarError
from sar.models import CaseStatus, Redaction
from sar.records import records_in_scope
from sar.redaction import ReasonCode
from sar.redactions import (
    REDACTION_CLOSED,
    REDACTION_OPEN_STATUSES,
    fits,
    may_decide,
    review_progress,
    suggestions_accept_all,
)

# Why staff read records here, recorded with each read event.
REDACTION_VIEW_PURPOSE = "Reviewing records for redaction"
REDACTION_LOG_PURPOSE = "Checking the redaction decisions"

ONLY_CASEWORKERS = "Only caseworkers decide what is redacted. You can read the records and the log."


def reason_label(code: str) -> str:
    return str(ReasonCode(code).label) if code in ReasonCode.values else ""


def not_deciding_message(case, user) -> str:
    """Why the forms are not shown to ``user`` (empty when they are)."""
    if may_decide(subject_case=case, actor=user):
        return ""
    if not roles.has_role(user, roles.CASEWORKER):
        return _(ONLY_CASEWORKERS)
    if case.status not in REDACTION_OPEN_STATUSES:
        return REDACTION_CLOSED.format(status=CaseStatus(case.status).label)
    return ""


class RedactionMixin(CaseRecordsMixin):
    @cached_property
    def overview_url(self) -> str:
        return reverse("sar_admin:redaction", args=[self.case.pk])

    @cached_property
    def log_url(self) -> str:
        return reverse("sar_admin:redaction_log", args=[self.case.pk])

    def redaction_breadcrumbs(self, *, current: bool = False):
        return [
            *self.case_breadcrumbs(),
            {"url": self.case_url, "label": self.case_heading()},
            {"url": "" if current else self.overview_url, "label": _("Redaction")},
        ]

    @cached_property
    def may_decide(self) -> bool:
        return may_decide(subject_case=self.case, actor=self.request.user)

    def read_event(self, action: str, *, obj, reason: str, **data):
        audit(
            action=action,
            actor=self.request.user,
            obj=obj,
            reason=reason,
            request=self.request,
            data={"request": self.case.request.reference, **data},
        )


# The overview ----------------------------------------------------------------


class RedactionOverviewView(RedactionMixin, WagtailAdminTemplateMixin, TemplateView):
    """The records in scope, each with where its review stands; the progress
    of the whole case; redacting every suggestion left with one reason."""

    template_name = "sar/admin/redaction_overview.html"
    header_icon = "doc-full"

    def get_page_title(self):
        return _("Redaction: %(case)s") % {"case": self.case_heading()}

    def get_breadcrumbs_items(self):
        return self.redaction_breadcrumbs(current=True)

    def get(self, request, *args, **kwargs):
        return self.render_page(AcceptAllForm(prefix="all"))

    def post(self, request, *args, **kwargs):
        form = AcceptAllForm(request.POST, prefix="all")
        if form.is_valid():
            try:
                count = suggestions_accept_all(
                    subject_case=self.case, actor=request.user, **form.reason_kwargs()
                )
            except SarError as error:
                # At the top: the form is not shown to someone who may not decide.
                admin_messages.error(request, error.message)
            else:
                admin_messages.success(request, accepted_message(count))
                return redirect(self.overview_url)
        return self.render_page(form)

    def render_page(self, accept_all_form):
        progress = review_progress(self.case)
        self.read_event(
            "sar.records.viewed",
            obj=self.case,
            reason=REDACTION_VIEW_PURPOSE,
            record_ids=[p.record.pk for p in progress.records],
        )
        return self.render_to_response(
            self.get_context_data(progress=progress, accept_all_form=accept_all_form)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "case": self.case,
                "case_url": self.case_url,
                "records_url": self.records_url,
                "log_url": self.log_url,
                "may_decide": self.may_decide,
                "not_deciding": not_deciding_message(self.case, self.request.user),
                "media": kwargs["accept_all_form"].media,
            }
        )
        return context


def accepted_message(count: int) -> str:
    if not count:
        return _("There were no suggestions left to decide.")
    return ngettext("%(count)d suggestion redacted.", "%(count)d suggestions redacted.", count) % {
        "count": count
    }


# The log --------------------------------------------------------------------


class RedactionLogView(RedactionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every decision on the subject case, with the words held back: the
    service's redaction log, for staff only and never released."""

    template_name = "sar/admin/redaction_log.html"
    header_icon = "list-ul"
    per_page = 100

    def get_page_title(self):
        return _("Redaction log: %(case)s") % {"case": self.case_heading()}

    def get_breadcrumbs_items(self):
        return [*self.redaction_breadcrumbs(), {"url": "", "label": _("Log")}]

    def get(self, request, *args, **kwargs):
        rows = (
            Redaction.objects.filter(subject_case=self.case)
            .select_related("record", "decided_by")
            .order_by("record__date", "record_id", "field", "start", "id")
        )
        self.page = Paginator(rows, self.per_page).get_page(request.GET.get("p"))
        self.read_event(
            "sar.redaction_log.viewed",
            obj=self.case,
            reason=REDACTION_LOG_PURPOSE,
            redaction_ids=[r.pk for r in self.page.object_list],
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = [
            {
                "row": row,
                "stale": not fits(row.record, row),
                "reason": reason_label(row.reason_code),
            }
            for row in self.page.object_list
        ]
        context.update(
            {
                "case": self.case,
                "page_obj": self.page,
                "entries": entries,
                "overview_url": self.overview_url,
                "in_scope_ids": set(records_in_scope(self.case).values_list("pk", flat=True)),
            }
        )
        return context
