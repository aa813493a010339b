"""The staff reads report, for administrators: how many reads of personal
records each member of staff made in each of the last N ISO weeks, and the
reads of cases that were not assigned to the reader (``sar.reads``). What
counts as a read is ``portal.audit.reads``. Under the "Audit" menu.

The report shows staff activity and case references, never a service user's
name or record, so opening it is not itself a read of personal records.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils.decorators import method_decorator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sar import deadlines, reads, roles
from sar.admin_views.access import person_label


def may_see_reads_report(user) -> bool:
    """Administrators (and superusers) only."""
    return roles.has_role(user, roles.ADMINISTRATOR)


class WeeksForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label=gettext_lazy("Weeks"),
        choices=[(n, format_lazy(gettext_lazy("Last {n} weeks"), n=n)) for n in reads.WEEK_CHOICES],
        coerce=int,
        initial=reads.DEFAULT_WEEKS,
    )


@method_decorator(never_cache, name="dispatch")
class ReadsReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "sar/admin/reads_report.html"
    page_title = gettext_lazy("Staff reads of personal records")
    header_icon = "view"
    flagged_per_page = 50

    def dispatch(self, request, *args, **kwargs):
        if not may_see_reads_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = WeeksForm(self.request.GET or None)
        weeks = form.cleaned_data["weeks"] if form.is_valid() else reads.DEFAULT_WEEKS
        if not form.is_bound or not form.is_valid():
            form = WeeksForm(initial={"weeks": weeks})
        today = deadlines.today()
        table = reads.reads_per_week(weeks=weeks, today=today)
        flagged = reads.reads_of_unassigned_cases(weeks=weeks, today=today)
        page = Paginator(flagged, self.flagged_per_page).get_page(self.request.GET.get("p"))
        held = reads.staff_roles([r.reader for r in table.rows] + [f.reader for f in page])
        context.update(
            form=form,
            weeks=weeks,
            table=table,
            rows=[
                {
                    "reader": person_label(row.reader),
                    "roles": held.get(row.reader.pk, ""),
                    "counts": row.counts,
                    "total": row.total,
                }
                for row in table.rows
            ],
            flagged=[
                {
                    "reader": person_label(item.reader),
                    "roles": held.get(item.reader.pk, ""),
                    "what": item.what,
                    "case_url": item.case_url,
                    "assigned_to": person_label(item.assigned_to),
                    "reads": item.reads,
                    "last": item.last,
                }
                for item in page
            ],
            flagged_count=len(flagged),
            page_obj=page,
        )
        return context
