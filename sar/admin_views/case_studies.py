"""Case studies for training, in the Wagtail admin: the service cases that may
be used (named by number, never by person), the preview of one case made
anonymous (what was found and what it became, record by record), and the
download. Caseworkers and administrators only (``sar.case_studies.export``
says why); the preview and the download are audit events
("sar.case_study.viewed", "sar.case_study.exported") recorded by the domain
functions, with the purpose.

The form carries the words staff ask to remove on top of what is found; they
are personal data, so they travel only in the POST body, are never stored,
and the audit event counts them.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages as admin_messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sar import selectors
from sar.admin_views.access import person_label
from sar.case_studies import (
    PLACEHOLDERS,
    ReplacementKind,
    case_study_export,
    case_study_preview,
    clean_extra_terms,
    may_make_case_studies,
    service_case_for_case_study,
    service_cases_for_case_studies,
)
from sar.case_studies.detectors import MAX_EXTRA_TERMS
from sar.exceptions import SarError


@method_decorator(never_cache, name="dispatch")
class CaseStudyStaffRequiredMixin:
    """Caseworkers and administrators only; never cached (case files)."""

    def dispatch(self, request, *args, **kwargs):
        if not may_make_case_studies(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def case_label(case) -> str:
    return _("Service case %(number)d") % {"number": case.pk}


def list_breadcrumbs():
    return [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse("sar_admin:case_studies"), "label": _("Case studies")},
    ]


class CaseStudyListView(CaseStudyStaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """The service cases to choose from, newest first; by the service user's
    email address, or the viewer's own cases. Rows name nobody."""

    template_name = "sar/admin/case_study_index.html"
    page_title = gettext_lazy("Case studies")
    header_icon = "doc-full"
    per_page = 25

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        viewer = self.request.user
        cases = service_cases_for_case_studies(viewer)
        email = self.request.GET.get("email", "").strip()
        mine = self.request.GET.get("mine") == "1"
        if email:
            person = selectors.service_user_by_email(email)
            cases = cases.filter(service_user=person) if person else cases.none()
        if mine:
            cases = cases.filter(caseworker=viewer)
        page = Paginator(cases, self.per_page).get_page(self.request.GET.get("p"))
        context.update(
            page_obj=page,
            rows=[
                {
                    "case": case,
                    "label": case_label(case),
                    "caseworker": person_label(case.caseworker) or _("None"),
                    "url": reverse("sar_admin:case_study", args=[case.pk]),
                }
                for case in page
            ],
            email=email,
            mine=mine,
        )
        return context


class CaseStudyForm(forms.Form):
    extra_terms = forms.CharField(
        label=gettext_lazy("Other words to remove"),
        help_text=format_lazy(
            gettext_lazy(
                "One a line, up to {count}: a nickname, a place or a name the case does "
                "not record as a person. Whole words, capitals ignored."
            ),
            count=MAX_EXTRA_TERMS,
        ),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
    )

    def terms(self) -> list[str]:
        return clean_extra_terms(self.cleaned_data.get("extra_terms", ""))


class CaseStudyMixin(CaseStudyStaffRequiredMixin):
    @cached_property
    def case(self):
        return service_case_for_case_study(self.request.user, self.kwargs["pk"])

    @cached_property
    def preview_url(self) -> str:
        return reverse("sar_admin:case_study", args=[self.case.pk])


class CaseStudyPreviewView(CaseStudyMixin, WagtailAdminTemplateMixin, FormView):
    """GET: the preview with what the detectors find. POST: again, with the
    words typed in the form removed too."""

    template_name = "sar/admin/case_study_preview.html"
    form_class = CaseStudyForm
    header_icon = "doc-full"

    def get_page_title(self):
        return _("Case study from %(case)s") % {"case": case_label(self.case)}

    def get_breadcrumbs_items(self):
        return [*list_breadcrumbs(), {"url": "", "label": case_label(self.case)}]

    def form_valid(self, form):
        return self.render_to_response(self.get_context_data(form=form, terms=form.terms()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        terms = kwargs.get("terms", [])
        try:
            study = case_study_preview(
                case=self.case, actor=self.request.user, extra_terms=terms, request=self.request
            )
        except SarError as error:
            raise PermissionDenied(error.message) from error
        found = sorted(
            (
                {
                    "kind": ReplacementKind(kind).label,
                    "order": list(ReplacementKind).index(kind),
                    "original": original,
                    "replacement": replacement,
                    "count": count,
                }
                for (kind, original, replacement), count in study.replacements().items()
                if kind != ReplacementKind.DATE
            ),
            key=lambda row: (row["order"], -row["count"], row["original"].lower()),
        )
        counts = study.counts_by_kind()
        context.update(
            case=self.case,
            case_label=case_label(self.case),
            study=study,
            found=found,
            dates_moved=counts.get(ReplacementKind.DATE, 0),
            placeholders=sorted(set(PLACEHOLDERS.values())),
            export_url=reverse("sar_admin:case_study_export", args=[self.case.pk]),
            media=form.media,
        )
        return context


class CaseStudyExportView(CaseStudyMixin, View):
    """POST only: the case study as a plain-text download."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = CaseStudyForm(request.POST)
        if not form.is_valid():
            admin_messages.error(request, _("Check the words to remove, then download again."))
            return redirect(self.preview_url)
        try:
            document = case_study_export(
                case=self.case, actor=request.user, extra_terms=form.terms(), request=request
            )
        except SarError as error:
            raise PermissionDenied(error.message) from error
        response = HttpResponse(document.content, content_type=document.content_type)
        response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
