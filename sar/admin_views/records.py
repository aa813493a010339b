"""Choosing a subject case's records: search the requester's service cases
by date, kind and person (``sar.records.records_search``), tick records and
add them to the request or take them out (``records_attach`` /
``records_detach``), and record the decision to include a record the child
shared in confidence (``record_include_confidential``).

The list shows date, kind, title, author and flags, never a record's text;
it is still a read of personal records, audited ("sar.records.viewed") with
the ids listed. Opening a confidential record to decide on it is a read of
its text ("sar.record.viewed").
"""

from functools import reduce
from operator import or_

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages as admin_messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.audit.events import record as audit
from sar.admin_views.cases import CaseMixin
from sar.admin_views.redaction_forms import (
    ATTACH,
    ATTACH_ALL,
    DETACH,
    SHOW_NOT_SELECTED,
    SHOW_SELECTED,
    IncludeConfidentialForm,
    RecordFilterForm,
    SelectionForm,
)
from sar.exceptions import SarError
from sar.models import Child, Person, Record, ServiceCase, SubjectCaseRecord
from sar.records import (
    may_choose_records,
    record_include_confidential,
    records_attach,
    records_detach,
    records_in_scope,
    records_search,
)

# Why staff read records, recorded with each read event.
RECORDS_VIEW_PURPOSE = "Choosing records for a right-of-access request"
CONFIDENTIAL_VIEW_PURPOSE = "Deciding whether to include a record shared in confidence"

# The record fields a list never shows: left encrypted, not decrypted for nothing.
TEXT_FIELDS = ("body", "sender", "recipients", "include_confidential_decision")


class CaseRecordsMixin(CaseMixin):
    """The requester's service cases, their records, and the breadcrumbs of
    the records screens."""

    @cached_property
    def service_cases(self) -> list[ServiceCase]:
        return list(
            ServiceCase.objects.filter(service_user_id=self.case.request.requester_id).order_by(
                "-opened_on", "id"
            )
        )

    def requester_records(self):
        return Record.objects.filter(case__in=self.service_cases)

    @cached_property
    def records_url(self) -> str:
        return reverse("sar_admin:case_records", args=[self.case.pk])

    @cached_property
    def case_url(self) -> str:
        return reverse("sar_admin:case", args=[self.case.pk])

    def records_breadcrumbs(self, *, current: bool = False):
        return [
            *self.case_breadcrumbs(),
            {"url": self.case_url, "label": self.case_heading()},
            {"url": "" if current else self.records_url, "label": _("Records")},
        ]


class RecordsView(CaseRecordsMixin, WagtailAdminTemplateMixin, TemplateView):
    """Search, list and choose. GET lists (filters in the query string); POST
    adds or removes the ticked records, then comes back to the same search."""

    template_name = "sar/admin/records.html"
    header_icon = "doc-full"
    per_page = 50

    def get_page_title(self):
        return _("Records: %(case)s") % {"case": self.case_heading()}

    def get_breadcrumbs_items(self):
        return self.records_breadcrumbs(current=True)

    def make_filter_form(self, data) -> RecordFilterForm:
        people = Person.objects.filter(case__in=self.service_cases).order_by("full_name", "id")
        children = (
            Child.objects.filter(service_cases__in=self.service_cases)
            .distinct()
            .order_by("full_name", "id")
        )
        return RecordFilterForm(data or None, people=people, children=children)

    @cached_property
    def filter_form(self) -> RecordFilterForm:
        return self.make_filter_form(self.request.GET)

    @cached_property
    def posted_query(self) -> QueryDict:
        """The search a POST came from (its own query string, re-encoded)."""
        return QueryDict(self.request.POST.get("query", "").lstrip("?"))

    def found(self, form: RecordFilterForm):
        """The records ``form``'s filters find across the requester's service
        cases, each marked ``selected`` when chosen for this case."""
        if not self.service_cases or (form.is_bound and not form.is_valid()):
            return Record.objects.none()
        kwargs = form.search_kwargs()
        records = reduce(or_, (records_search(case=case, **kwargs) for case in self.service_cases))
        chosen = SubjectCaseRecord.objects.filter(subject_case=self.case, record=OuterRef("pk"))
        records = (
            records.distinct()
            .annotate(selected=Exists(chosen))
            .select_related("author")
            .defer(*TEXT_FIELDS)
            .order_by("date", "id")
        )
        if form.showing == SHOW_SELECTED:
            records = records.filter(selected=True)
        elif form.showing == SHOW_NOT_SELECTED:
            records = records.filter(selected=False)
        return records

    def get(self, request, *args, **kwargs):
        self.page = Paginator(self.found(self.filter_form), self.per_page).get_page(
            request.GET.get("p")
        )
        audit(
            action="sar.records.viewed",
            actor=request.user,
            obj=self.case,
            reason=RECORDS_VIEW_PURPOSE,
            request=request,
            data={
                "request": self.case.request.reference,
                "record_ids": [r.pk for r in self.page.object_list],
            },
        )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # Back to the same search (this screen's own path, the query re-encoded).
        query = self.posted_query.urlencode()
        back = f"{self.records_url}?{query}" if query else self.records_url
        form = SelectionForm(request.POST, records=self.requester_records())
        if not form.is_valid():
            for error in form.errors.get("__all__", [_("Tick records from the list.")]):
                admin_messages.error(request, error)
            return redirect(back)
        action = form.cleaned_data["action"]
        try:
            if action == DETACH:
                count = records_detach(
                    subject_case=self.case, records=form.cleaned_data["records"], actor=request.user
                )
                message = ngettext(
                    "%(count)d record removed from this request.",
                    "%(count)d records removed from this request.",
                    count,
                )
            else:
                chosen = form.cleaned_data["records"] if action == ATTACH else self.all_found()
                count = len(
                    records_attach(subject_case=self.case, records=chosen, actor=request.user)
                )
                message = ngettext(
                    "%(count)d record added to this request.",
                    "%(count)d records added to this request.",
                    count,
                )
        except SarError as error:
            admin_messages.error(request, error.message)
            return redirect(back)
        admin_messages.success(request, message % {"count": count})
        return redirect(back)

    def all_found(self) -> list[Record]:
        """Every record the posted search finds (for "add all found")."""
        return list(self.found(self.make_filter_form(self.posted_query)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("p", None)
        selected = SubjectCaseRecord.objects.filter(subject_case=self.case)
        context.update(
            {
                "case": self.case,
                "case_url": self.case_url,
                "filter_form": self.filter_form,
                "media": self.filter_form.media,
                "page_obj": self.page,
                "query": query.urlencode(),
                "may_choose": may_choose_records(self.request.user),
                "has_service_case": bool(self.service_cases),
                "selected_count": selected.count(),
                "in_scope_count": records_in_scope(self.case).count(),
                "confidential_undecided": Record.objects.filter(
                    selections__subject_case=self.case,
                    shared_in_confidence_by_child=True,
                    decided_at__isnull=True,
                ).count(),
                "redaction_url": reverse("sar_admin:redaction", args=[self.case.pk]),
                "actions": {"attach": ATTACH, "detach": DETACH, "attach_all": ATTACH_ALL},
            }
        )
        return context


class RecordIncludeView(CaseRecordsMixin, WagtailAdminTemplateMixin, FormView):
    """A record the child shared in confidence: read it, and record why it is
    included in responses to the parent (caseworkers only)."""

    template_name = "sar/admin/records_include.html"
    form_class = IncludeConfidentialForm
    header_icon = "doc-full"

    @cached_property
    def record(self) -> Record:
        record = (
            self.requester_records()
            .filter(pk=self.kwargs["record_pk"], shared_in_confidence_by_child=True)
            .select_related("author", "decided_by")
            .first()
        )
        if record is None:
            raise Http404("No such record.")
        return record

    def get_page_title(self):
        return _("Shared in confidence: %(record)s") % {"record": self.record}

    def get_breadcrumbs_items(self):
        return [*self.records_breadcrumbs(), {"url": "", "label": str(self.record)}]

    def read_event(self):
        audit(
            action="sar.record.viewed",
            actor=self.request.user,
            obj=self.record,
            reason=CONFIDENTIAL_VIEW_PURPOSE,
            request=self.request,
            data={"subject_case": self.case.pk, "request": self.case.request.reference},
        )

    def get(self, request, *args, **kwargs):
        self.read_event()
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            record_include_confidential(
                record=self.record, reason=form.cleaned_data["reason"], actor=self.request.user
            )
        except SarError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        admin_messages.success(
            self.request, _("Decision recorded: the record is included in requests.")
        )
        return redirect(self.records_url)

    def form_invalid(self, form):
        # The page shows the record's text again: another read.
        self.read_event()
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "case": self.case,
                "record": self.record,
                "may_choose": may_choose_records(self.request.user),
                "records_url": self.records_url,
            }
        )
        return context
