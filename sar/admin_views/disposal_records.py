"""What is left of disposed cases, for caseworkers and administrators: the
disposal records (``DisposalTombstone``), one record, and its certificate PDF
(downloading it is an audit event). Nothing here names anyone."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin

from portal.audit.events import record
from sar.admin_views.access import person_label
from sar.admin_views.retention import RetentionStaffRequiredMixin, _date, retention_breadcrumbs
from sar.models import DisposalRule, DisposalTombstone
from sar.retention.certificate import certificate_pdf
from sar.retention.disposal import destroyed


class RecordPaginator(WagtailPaginator):
    verbose_name = gettext_lazy("disposal record")
    verbose_name_plural = gettext_lazy("disposal records")


class DisposalRecordListView(RetentionStaffRequiredMixin, BaseListingView):
    page_title = gettext_lazy("Disposal records")
    header_icon = "doc-full"
    index_url_name = "sar_admin:disposal_records"
    paginate_by = 50
    paginator_class = RecordPaginator
    default_ordering = "-confirmed_at"
    verbose_name = gettext_lazy("disposal record")
    verbose_name_plural = gettext_lazy("disposal records")
    columns = [
        TitleColumn(
            "number",
            label=gettext_lazy("Certificate"),
            accessor="certificate_number",
            get_url=lambda t: reverse("sar_admin:disposal_record", args=[t.pk]),
        ),
        Column(
            "case",
            label=gettext_lazy("Service case"),
            accessor="service_case_number",
            sort_key="service_case_number",
        ),
        Column(
            "references",
            label=gettext_lazy("Requests"),
            accessor=lambda t: ", ".join(t.references) or "–",
        ),
        Column(
            "when",
            label=gettext_lazy("Disposed of"),
            accessor=lambda t: _date(timezone.localtime(t.confirmed_at)),
            sort_key="confirmed_at",
        ),
        Column(
            "who",
            label=gettext_lazy("Confirmed by"),
            accessor=lambda t: person_label(t.confirmed_by),
        ),
    ]

    def get_base_queryset(self):
        return DisposalTombstone.objects.select_related("confirmed_by")

    def get_breadcrumbs_items(self):
        return retention_breadcrumbs({"url": "", "label": self.get_page_title()})


class TombstoneMixin(RetentionStaffRequiredMixin):
    @cached_property
    def tombstone(self):
        found = DisposalTombstone.objects.filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404("No such disposal record.")
        return found


class DisposalRecordView(TombstoneMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "sar/admin/disposal_record.html"
    header_icon = "doc-full"

    def get_page_title(self):
        return self.tombstone.certificate_number

    def get_breadcrumbs_items(self):
        return retention_breadcrumbs(
            {"url": reverse("sar_admin:disposal_records"), "label": _("Disposal records")},
            {"url": "", "label": self.get_page_title()},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tombstone = self.tombstone
        context.update(
            {
                "tombstone": tombstone,
                "rule": DisposalRule(tombstone.rule).label,
                "counts": destroyed(tombstone.counts.get("by_model", {})),
                "files": tombstone.counts.get("files", 0),
                "confirmed_by": person_label(tombstone.confirmed_by),
                "certificate_url": reverse("sar_admin:disposal_certificate", args=[tombstone.pk]),
            }
        )
        return context


class DisposalCertificateView(TombstoneMixin, View):
    """The certificate PDF (an attachment). Audited."""

    def get(self, request, *args, **kwargs):
        tombstone = self.tombstone
        pdf = certificate_pdf(tombstone)
        record(
            action="sar.disposal.certificate_downloaded",
            actor=request.user,
            obj=tombstone,
            request=request,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="disposal-certificate-{tombstone.certificate_number}.pdf"'
        )
        return response
