"""Retention and disposal in the admin, for caseworkers and administrators:
the queue of service cases due for disposal (filled by the daily check, which
deletes nothing), every service case with the date the rule gives it, one
service case's retention facts (reading them is an audit event), recording
when a child left education, confirming a disposal with the case's name typed
(caseworkers only). The disposal records are ``disposal_records``.

Cases under a safeguarding hold are left out for anyone who may not see holds
(``sar.retention.queue``), as they are from the case list.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages as admin_messages
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from portal.audit.events import record
from sar import roles
from sar.admin_forms import DisposalConfirmForm, LeftEducationForm
from sar.admin_views.access import person_label
from sar.exceptions import SarError
from sar.models import DisposalRule, RecordKind, ServiceCase
from sar.retention import queue, rules
from sar.retention.disposal import (
    confirmation_phrase,
    destroyed,
    disposal_confirm,
    inventory,
)

RETENTION_VIEW_PURPOSE = "Checking when a case is due for disposal"


@method_decorator(never_cache, name="dispatch")
class RetentionStaffRequiredMixin:
    """Caseworkers and administrators (and superusers)."""

    def dispatch(self, request, *args, **kwargs):
        if not roles.may_see_retention(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CaseworkerRequiredMixin(RetentionStaffRequiredMixin):
    """Changing anything: caseworkers only (the domain says so too)."""

    def dispatch(self, request, *args, **kwargs):
        if not roles.has_role(request.user, roles.CASEWORKER):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def retention_breadcrumbs(*more):
    return [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse("sar_admin:disposal_queue"), "label": _("Disposal")},
        *more,
    ]


def _date(day) -> str:
    return f"{day:%-d %b %Y}" if day else "–"


def service_case_url(service_case) -> str:
    return reverse("sar_admin:retention_case", args=[service_case.pk])


def user_label(service_case) -> str:
    return person_label(service_case.service_user)


class QueuePaginator(WagtailPaginator):
    verbose_name = gettext_lazy("case due for disposal")
    verbose_name_plural = gettext_lazy("cases due for disposal")


class RetentionHeaderButtons:
    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("All service cases"),
                url=reverse("sar_admin:retention_cases"),
                icon_name="folder-open-inverse",
            ),
            HeaderButton(
                _("Disposal records"),
                url=reverse("sar_admin:disposal_records"),
                icon_name="doc-full",
            ),
        ]


class DisposalQueueView(RetentionHeaderButtons, RetentionStaffRequiredMixin, BaseListingView):
    """The cases the daily check found due, most overdue first, each with
    whether it can go now or why not."""

    page_title = gettext_lazy("Disposal")
    page_subtitle = gettext_lazy("Cases due for disposal")
    header_icon = "bin"
    template_name = "sar/admin/disposal_queue.html"
    index_url_name = "sar_admin:disposal_queue"
    paginate_by = 50
    paginator_class = QueuePaginator
    default_ordering = "due_on"
    verbose_name = gettext_lazy("case due for disposal")
    verbose_name_plural = gettext_lazy("cases due for disposal")
    columns = [
        TitleColumn(
            "case",
            label=gettext_lazy("Service case"),
            accessor=lambda entry: str(entry.service_case),
            get_url=lambda entry: service_case_url(entry.service_case),
        ),
        Column(
            "user",
            label=gettext_lazy("Service user"),
            accessor=lambda entry: user_label(entry.service_case),
        ),
        Column(
            "due",
            label=gettext_lazy("Due on"),
            accessor=lambda entry: _date(entry.due_on),
            sort_key="due_on",
        ),
        Column("why", label=gettext_lazy("Why"), accessor="get_rule_display"),
        Column(
            "ready",
            label=gettext_lazy("Can it be disposed of?"),
            accessor=lambda entry: queue.blocked_reason(entry.service_case) or _("Yes"),
        ),
    ]

    def get_base_queryset(self):
        return queue.queue_for_staff(self.request.user)

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering, "service_case_id")


class ServiceCasePaginator(WagtailPaginator):
    verbose_name = gettext_lazy("service case")
    verbose_name_plural = gettext_lazy("service cases")


def _due_label(service_case) -> str:
    decision = queue.disposal_date(service_case)
    if decision is None:
        return _("Not while open (no children)")
    return _date(decision.due_on)


class ServiceCaseListView(RetentionHeaderButtons, RetentionStaffRequiredMixin, BaseListingView):
    """Every service case and when the rule says it is due, to find a case
    and record when its children left education."""

    page_title = gettext_lazy("Service cases")
    header_icon = "folder-open-inverse"
    index_url_name = "sar_admin:retention_cases"
    paginate_by = 50
    paginator_class = ServiceCasePaginator
    default_ordering = "pk"
    verbose_name = gettext_lazy("service case")
    verbose_name_plural = gettext_lazy("service cases")
    columns = [
        TitleColumn(
            "case",
            label=gettext_lazy("Service case"),
            accessor=str,
            get_url=service_case_url,
            sort_key="pk",
        ),
        Column("user", label=gettext_lazy("Service user"), accessor=user_label),
        Column(
            "children",
            label=gettext_lazy("Children"),
            accessor=lambda case: len(case.children.all()),
        ),
        Column(
            "closed",
            label=gettext_lazy("Closed"),
            accessor=lambda case: _date(case.closed_on),
            sort_key="closed_on",
        ),
        Column("due", label=gettext_lazy("Due for disposal"), accessor=_due_label),
    ]

    def get_base_queryset(self):
        return queue.service_cases_for_staff(self.request.user)

    def get_breadcrumbs_items(self):
        return retention_breadcrumbs({"url": "", "label": self.get_page_title()})


class ServiceCaseMixin(RetentionStaffRequiredMixin):
    @cached_property
    def service_case(self):
        try:
            return queue.service_cases_for_staff(self.request.user).get(pk=self.kwargs["pk"])
        except (ServiceCase.DoesNotExist, ValueError, TypeError):
            raise Http404("No such service case.") from None


class ServiceCaseRetentionView(ServiceCaseMixin, WagtailAdminTemplateMixin, TemplateView):
    """One service case: its children's dates, when the rule makes it due,
    whether it is listed, and what would stop a disposal. Audited."""

    template_name = "sar/admin/retention_case.html"
    header_icon = "folder-open-inverse"

    def get_page_title(self):
        return str(self.service_case)

    def get_breadcrumbs_items(self):
        return retention_breadcrumbs(
            {"url": reverse("sar_admin:retention_cases"), "label": _("Service cases")},
            {"url": "", "label": self.get_page_title()},
        )

    def get(self, request, *args, **kwargs):
        record(
            action="sar.service_case.viewed",
            actor=request.user,
            obj=self.service_case,
            reason=RETENTION_VIEW_PURPOSE,
            request=request,
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service_case = self.service_case
        is_caseworker = roles.has_role(self.request.user, roles.CASEWORKER)
        decision = queue.disposal_date(service_case)
        entry = getattr(service_case, "disposal_due", None)
        children = []
        for child in service_case.children.order_by("date_of_birth", "pk"):
            dates = rules.ChildDates(child.date_of_birth, child.left_education_on)
            children.append(
                {
                    "child": child,
                    "turns_25": rules.birthday(child.date_of_birth, rules.RETENTION_AGE),
                    "done_on": rules.child_done_on(dates),
                    "url": reverse("sar_admin:left_education", args=[service_case.pk, child.pk]),
                }
            )
        context.update(
            {
                "service_case": service_case,
                "service_user": user_label(service_case),
                "children": children,
                "decision": decision,
                "rule": DisposalRule(decision.rule).label if decision else "",
                "grace_days": queue.grace_days(),
                "closed_days": queue.closed_no_children_days(),
                "entry": entry,
                "blocked": queue.blocked_reason(service_case) if entry else "",
                "may_change": is_caseworker,
                "confirm_url": reverse("sar_admin:disposal_confirm", args=[service_case.pk]),
            }
        )
        return context


class LeftEducationView(
    CaseworkerRequiredMixin, ServiceCaseMixin, WagtailAdminTemplateMixin, FormView
):
    """Record the day a child on the case left education."""

    template_name = "sar/admin/hold_form.html"
    header_icon = "folder-open-inverse"
    form_class = LeftEducationForm

    @cached_property
    def child(self):
        child = self.service_case.children.filter(pk=self.kwargs["child_pk"]).first()
        if child is None:
            raise Http404("No such child on this case.")
        return child

    def get_page_title(self):
        return _("When %(name)s left education") % {"name": self.child.full_name}

    def get_breadcrumbs_items(self):
        return retention_breadcrumbs(
            {"url": service_case_url(self.service_case), "label": str(self.service_case)},
            {"url": "", "label": _("Left education")},
        )

    def get_initial(self):
        return {"left_on": self.child.left_education_on}

    def form_valid(self, form):
        try:
            queue.child_record_left_education(
                child=self.child, left_on=form.cleaned_data["left_on"], actor=self.request.user
            )
        except SarError as error:
            form.add_error("left_on", error.message)
            return self.form_invalid(form)
        admin_messages.success(self.request, _("Recorded."))
        return redirect(service_case_url(self.service_case))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        turns_25 = rules.birthday(self.child.date_of_birth, rules.RETENTION_AGE)
        context.update(
            {
                "submit_label": _("Save"),
                "cancel_url": service_case_url(self.service_case),
                "facts": [
                    (_("Date of birth"), f"{self.child.date_of_birth:%-d %B %Y}"),
                    (_("Turns 25 on"), f"{turns_25:%-d %B %Y}"),
                ],
                "media": context["form"].media,
            }
        )
        return context


class DisposalConfirmView(
    CaseworkerRequiredMixin, ServiceCaseMixin, WagtailAdminTemplateMixin, FormView
):
    """What a disposal would destroy, and the typed confirmation."""

    template_name = "sar/admin/disposal_confirm.html"
    header_icon = "bin"
    form_class = DisposalConfirmForm

    def get_page_title(self):
        return _("Dispose of %(case)s") % {"case": self.service_case}

    def get_breadcrumbs_items(self):
        return retention_breadcrumbs(
            {"url": service_case_url(self.service_case), "label": str(self.service_case)},
            {"url": "", "label": _("Dispose")},
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "phrase": confirmation_phrase(self.service_case)}

    def form_valid(self, form):
        try:
            tombstone = disposal_confirm(
                service_case=self.service_case,
                actor=self.request.user,
                typed=form.cleaned_data["typed"],
            )
        except SarError as error:
            form.add_error("typed" if error.message.startswith("Type") else None, error.message)
            return self.form_invalid(form)
        admin_messages.success(
            self.request,
            _("%(case)s has been disposed of. Its certificate is %(number)s.")
            % {
                "case": f"Service case {tombstone.service_case_number}",
                "number": tombstone.certificate_number,
            },
        )
        return redirect("sar_admin:disposal_record", tombstone.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = inventory(self.service_case)
        context.update(
            {
                "service_case": self.service_case,
                "counts": destroyed(found.counts, skip_empty=True),
                "records_by_kind": [
                    (RecordKind(kind).label, n) for kind, n in found.records_by_kind.items()
                ],
                "files": found.file_count,
                "references": found.references,
                "blocked": queue.blocked_reason(self.service_case),
                "cancel_url": service_case_url(self.service_case),
                "media": context["form"].media,
            }
        )
        return context
