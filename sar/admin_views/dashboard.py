"""The caseworker dashboard: the counts that need attention, and the case
list, filtered by caseworker, status and clock, sorted by due date (most
urgent first), paginated. Rows name nobody: a child is "Child (12)"."""

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView

from sar import deadlines, roles, selectors
from sar.admin_forms import ASSIGNED_TO_ME, UNASSIGNED, CaseFilterSet
from sar.admin_views.access import CaseStaffRequiredMixin, person_label, subject_label
from sar.models import CaseStatus

# The selector behind each clock filter (and count) on the dashboard.
CLOCK_SELECTORS = {
    "overdue": lambda viewer, today: selectors.cases_overdue(today=today, viewer=viewer),
    "due_within_7_days": lambda viewer, today: selectors.cases_due_within(
        7, today=today, viewer=viewer
    ),
    "paused": lambda viewer, today: selectors.cases_paused(viewer=viewer),
    "extended": lambda viewer, today: selectors.cases_extended(viewer=viewer),
}

# The dashboard's count tiles: (key in dashboard_counts, label, icon, filter query).
COUNT_TILES = (
    ("overdue", gettext_lazy("Overdue"), "warning", "clock=overdue"),
    ("due_within_7_days", gettext_lazy("Due in 7 days"), "time", "clock=due_within_7_days"),
    ("paused", gettext_lazy("Paused for clarification"), "pick", "clock=paused"),
    ("extended", gettext_lazy("Extended"), "date", "clock=extended"),
    (
        "awaiting_approval",
        gettext_lazy("Awaiting approval"),
        "tick-inverse",
        f"status={CaseStatus.AWAITING_APPROVAL}",
    ),
    ("on_hold", gettext_lazy("On safeguarding hold"), "lock", f"status={CaseStatus.ON_HOLD}"),
)


class DueColumn(Column):
    """The due date, with how late the case is or why the clock is stopped."""

    cell_template_name = "sar/admin/due_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = instance.request
        context["due_on"] = request.due_on
        context["overdue_days"] = selectors.days_overdue(instance, today=deadlines.today())
        context["paused"] = request.paused_since is not None
        context["not_started"] = request.clock_started_on is None
        return context


class CasePaginator(WagtailPaginator):
    # "9 cases", not the model's "9 subject cases".
    verbose_name = gettext_lazy("case")
    verbose_name_plural = gettext_lazy("cases")


class CaseListView(CaseStaffRequiredMixin, BaseListingView):
    page_title = gettext_lazy("Requests")
    header_icon = "folder-open-inverse"
    template_name = "sar/admin/dashboard.html"
    index_url_name = "sar_admin:dashboard"
    index_results_url_name = "sar_admin:dashboard_results"
    filterset_class = CaseFilterSet
    paginate_by = 25
    paginator_class = CasePaginator
    default_ordering = "due"
    verbose_name = gettext_lazy("case")
    verbose_name_plural = gettext_lazy("cases")
    columns = [
        TitleColumn(
            "reference",
            label=gettext_lazy("Reference"),
            accessor="request.reference",
            get_url=lambda case: reverse("sar_admin:case", args=[case.pk]),
        ),
        Column("subject", label=gettext_lazy("About"), accessor=subject_label),
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        DueColumn("due", label=gettext_lazy("Due"), sort_key="due"),
        Column(
            "received",
            label=gettext_lazy("Received"),
            accessor=lambda case: f"{deadlines.london_date(case.request.received_at):%-d %b %Y}",
            sort_key="received",
        ),
        Column(
            "caseworker",
            label=gettext_lazy("Caseworker"),
            accessor=lambda case: person_label(case.assigned_to) or _("Unassigned"),
        ),
    ]

    @cached_property
    def today(self):
        return deadlines.today()

    def filter_values(self) -> dict:
        if self.filters is not None and self.filters.is_valid():
            return self.filters.form.cleaned_data
        return {}

    def get_queryset(self):
        viewer = self.request.user
        values = self.filter_values()
        who = {}
        caseworker = values.get("caseworker")
        if caseworker == ASSIGNED_TO_ME:
            who["caseworker"] = viewer
        elif caseworker == UNASSIGNED:
            who["unassigned"] = True
        elif caseworker:
            who["caseworker"] = selectors.caseworkers().get(pk=caseworker)
        statuses = values.get("status") or None
        cases = selectors.cases_for_staff(
            viewer=viewer,
            statuses=statuses,
            # With no status chosen, the list is of the work still to do.
            open_only=not statuses,
            sort=self.ordering,
            **who,
        )
        clock = values.get("clock")
        if clock:
            cases = cases.filter(pk__in=CLOCK_SELECTORS[clock](viewer, self.today).values("pk"))
        return cases

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = self.today
        if not self.results_only:
            counts = selectors.dashboard_counts(today=self.today, viewer=self.request.user)
            index = reverse(self.index_url_name)
            context["count_tiles"] = [
                {"count": counts[key], "label": label, "icon": icon, "url": f"{index}?{query}"}
                for key, label, icon, query in COUNT_TILES
                if key in counts
            ]
            context["may_see_holds"] = roles.may_see_holds(self.request.user)
        return context


class CaseListResultsView(CaseListView):
    """The list alone, for the filters to refresh without reloading the page."""

    results_only = True
