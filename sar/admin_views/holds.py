"""Safeguarding holds in the admin, for safeguarding leads and administrators
only (``roles.may_see_holds``; everyone else is refused, as they are from a
held case): the report of holds and their age, one hold with its reason and
decision (reading them is an audit event), placing a hold on a service case,
and lifting a hold. Placing and lifting are the safeguarding lead's alone
(``sar.safeguarding`` says no to anyone else); an administrator only reads.

Holds on one subject case are placed from the case's own page
(``sar.admin_views.cases``, the "place_hold" step).
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages as admin_messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from portal.audit.events import record
from sar import roles, safeguarding
from sar.admin_forms import HoldLiftForm, ServiceCaseHoldForm
from sar.admin_views.access import person_label, subject_label
from sar.exceptions import SarError
from sar.models import HoldExemption, SafeguardingHold

HOLD_VIEW_PURPOSE = "Reviewing a safeguarding hold"


@method_decorator(never_cache, name="dispatch")
class HoldStaffRequiredMixin:
    """Safeguarding leads and administrators (and superusers) only."""

    def dispatch(self, request, *args, **kwargs):
        if not roles.may_see_holds(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class LeadRequiredMixin(HoldStaffRequiredMixin):
    """Placing and lifting: safeguarding leads only (the domain says so too;
    an administrator who is not a lead is not offered the form)."""

    def dispatch(self, request, *args, **kwargs):
        if not roles.has_role(request.user, roles.SAFEGUARDING_LEAD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def holds_breadcrumbs():
    return [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse("sar_admin:holds"), "label": _("Safeguarding holds")},
    ]


def hold_label(hold: SafeguardingHold) -> str:
    return _("Hold %(number)d") % {"number": hold.pk}


def held_label(hold: SafeguardingHold) -> str:
    """What is held, naming nobody: "SAR-2026-00012 · Child (12)" or
    "Service case 4 (3 cases)"."""
    if hold.subject_case_id:
        case = hold.subject_case
        return f"{case.request.reference} · {subject_label(case)}"
    count = len(hold.cases.all())
    return _("%(case)s (%(count)d cases)") % {"case": hold.service_case, "count": count}


def exemption_short(hold: SafeguardingHold) -> str:
    label = str(HoldExemption(hold.exemption).label)
    # "Education data: ... (DPA 2018 Sch 3 Pt 4 para 19)" -> the data and the paragraph.
    kind = label.split(":", 1)[0]
    paragraph = label.rsplit("(", 1)[-1].rstrip(")")
    return f"{kind} ({paragraph})"


class HoldFilterSet(WagtailFilterSet):
    lifted = django_filters.BooleanFilter(
        label=gettext_lazy("Show lifted holds too"),
        widget=forms.CheckboxInput,
        method="unused",
    )

    class Meta:
        model = SafeguardingHold
        fields = []

    def unused(self, queryset, name, value):
        return queryset


class HoldPaginator(WagtailPaginator):
    verbose_name = gettext_lazy("hold")
    verbose_name_plural = gettext_lazy("holds")


class HoldReportView(HoldStaffRequiredMixin, BaseListingView):
    """Every standing hold and how long it has stood (oldest first), with the
    lifted ones on request."""

    page_title = gettext_lazy("Safeguarding holds")
    header_icon = "lock"
    index_url_name = "sar_admin:holds"
    index_results_url_name = "sar_admin:holds_results"
    filterset_class = HoldFilterSet
    paginate_by = 50
    paginator_class = HoldPaginator
    default_ordering = "-held_for"
    verbose_name = gettext_lazy("hold")
    verbose_name_plural = gettext_lazy("holds")
    columns = [
        TitleColumn(
            "hold",
            label=gettext_lazy("Hold"),
            accessor=hold_label,
            get_url=lambda hold: reverse("sar_admin:hold", args=[hold.pk]),
        ),
        Column("held", label=gettext_lazy("What is held"), accessor=held_label),
        Column("exemption", label=gettext_lazy("Exemption"), accessor=exemption_short),
        Column(
            "placed",
            label=gettext_lazy("Placed"),
            accessor=lambda hold: f"{timezone.localtime(hold.placed_at):%-d %b %Y}",
            sort_key="placed_at",
        ),
        Column(
            "placed_by",
            label=gettext_lazy("Placed by"),
            accessor=lambda hold: person_label(hold.placed_by),
        ),
        Column(
            "age",
            label=gettext_lazy("Age (days)"),
            accessor=lambda hold: hold.age_days(),
            sort_key="held_for",
        ),
        Column(
            "state",
            label=gettext_lazy("Status"),
            accessor=lambda hold: (
                _("Standing")
                if hold.is_standing
                else _("Lifted %(on)s") % {"on": f"{timezone.localtime(hold.lifted_at):%-d %b %Y}"}
            ),
        ),
    ]

    @cached_property
    def include_lifted(self) -> bool:
        if self.filters is not None and self.filters.is_valid():
            return bool(self.filters.form.cleaned_data.get("lifted"))
        return False

    def get_base_queryset(self):
        holds = safeguarding.holds_for_staff(self.request.user, include_lifted=self.include_lifted)
        # How long each hold has stood (or stood): the sortable age.
        return holds.annotate(
            held_for=ExpressionWrapper(
                Coalesce("lifted_at", Value(timezone.now(), output_field=DateTimeField()))
                - F("placed_at"),
                output_field=DurationField(),
            )
        )

    def order_queryset(self, queryset):
        ordering = self.ordering
        return queryset.order_by(ordering, "-id" if ordering.startswith("-") else "id")

    @cached_property
    def header_buttons(self):
        if not roles.has_role(self.request.user, roles.SAFEGUARDING_LEAD):
            return []
        return [
            HeaderButton(
                _("Hold a service case"),
                url=reverse("sar_admin:hold_service_case"),
                icon_name="lock",
            )
        ]


class HoldReportResultsView(HoldReportView):
    results_only = True


class HoldMixin(HoldStaffRequiredMixin):
    @cached_property
    def hold(self) -> SafeguardingHold:
        return safeguarding.hold_for_staff(self.request.user, self.kwargs["pk"])

    def hold_url(self) -> str:
        return reverse("sar_admin:hold", args=[self.hold.pk])


class HoldDetailView(HoldMixin, WagtailAdminTemplateMixin, TemplateView):
    """One hold: what it covers, the reason and exemption, who placed it and
    when, and, once lifted, the decision. Reading it is an audit event."""

    template_name = "sar/admin/hold_detail.html"
    header_icon = "lock"

    def get_page_title(self):
        return hold_label(self.hold)

    def get_breadcrumbs_items(self):
        return [*holds_breadcrumbs(), {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        record(
            action="sar.hold.viewed",
            actor=request.user,
            obj=self.hold,
            reason=HOLD_VIEW_PURPOSE,
            request=request,
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hold = self.hold
        context.update(
            {
                "hold": hold,
                "held": held_label(hold),
                "exemption": HoldExemption(hold.exemption).label,
                "age_days": hold.age_days(),
                "placed_by": person_label(hold.placed_by),
                "lifted_by": person_label(hold.lifted_by),
                "cases": [
                    {"case": case, "label": f"{case.request.reference} · {subject_label(case)}"}
                    for case in hold.cases.select_related("request", "child").order_by("id")
                ],
                "may_lift": hold.is_standing
                and roles.has_role(self.request.user, roles.SAFEGUARDING_LEAD),
                "lift_url": reverse("sar_admin:hold_lift", args=[hold.pk]),
            }
        )
        return context


class HoldLiftView(LeadRequiredMixin, HoldMixin, WagtailAdminTemplateMixin, FormView):
    """Lift a hold, with the decision recorded (``safeguarding.hold_lift``)."""

    template_name = "sar/admin/hold_form.html"
    header_icon = "lock"
    form_class = HoldLiftForm

    def get_page_title(self):
        return _("Lift %(hold)s") % {"hold": hold_label(self.hold)}

    def get_breadcrumbs_items(self):
        return [
            *holds_breadcrumbs(),
            {"url": self.hold_url(), "label": hold_label(self.hold)},
            {"url": "", "label": _("Lift")},
        ]

    def form_valid(self, form):
        try:
            safeguarding.hold_lift(
                hold=self.hold, actor=self.request.user, decision=form.cleaned_data["decision"]
            )
        except SarError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        admin_messages.success(
            self.request,
            _("%(hold)s lifted. The cases it held are back where they were.")
            % {"hold": hold_label(self.hold)},
        )
        return redirect(self.hold_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "submit_label": _("Lift the hold"),
                "cancel_url": self.hold_url(),
                "facts": [
                    (_("What is held"), held_label(self.hold)),
                    (_("Exemption relied on"), HoldExemption(self.hold.exemption).label),
                ],
                "media": context["form"].media,
            }
        )
        return context


class ServiceCaseHoldView(LeadRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """Place a hold on a whole service case
    (``safeguarding.hold_place_on_service_case``)."""

    template_name = "sar/admin/hold_form.html"
    header_icon = "lock"
    form_class = ServiceCaseHoldForm
    page_title = gettext_lazy("Hold a service case")

    def get_breadcrumbs_items(self):
        return [*holds_breadcrumbs(), {"url": "", "label": self.get_page_title()}]

    def form_valid(self, form):
        try:
            hold = safeguarding.hold_place_on_service_case(
                service_case=form.cleaned_data["service_case"],
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                exemption=form.cleaned_data["exemption"],
            )
        except SarError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        admin_messages.success(
            self.request,
            _("%(hold)s placed on %(case)s.")
            % {"hold": hold_label(hold), "case": hold.service_case},
        )
        return redirect("sar_admin:hold", hold.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "submit_label": _("Place the hold"),
                "cancel_url": reverse("sar_admin:holds"),
                "intro": _(
                    "Every open case of the service user goes on hold now, and any request "
                    "they make while the hold stands starts on hold. Booked appointments to "
                    "view records are cancelled; the service user is not told why."
                ),
                "media": context["form"].media,
            }
        )
        return context
