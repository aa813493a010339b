"""The case page's "Bundle" section and what its buttons do: prepare the
bundle (again), try a failed one again, follow its progress, open the PDF,
and, once it is approved, revoke the parent's download or make it available
again. Each calls one function of ``sar.bundles``, which holds the rules; a
refusal is shown as the domain's message.

The section itself is drawn by the ``{% bundle_section case %}`` tag
(``sar.templatetags.sar_bundles``) from ``bundle_panel``, so the case page's
view needs nothing of it. Opening the PDF is a read of personal records:
an audit event ("sar.bundle.viewed") with the purpose.
"""

from __future__ import annotations

from django import forms
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages as admin_messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sar import bundles, deadlines, roles
from sar.admin_views.cases import CaseMixin
from sar.exceptions import SarError
from sar.models import Bundle, BundleStatus, CaseStatus
from sar.views.downloads import pdf_response
from sar.workflow.cases import bundle_out_of_date

PREPARED = gettext_lazy(
    "The bundle is being prepared. This page shows its progress; you will also get an "
    "email when it is ready."
)
REVOKED = gettext_lazy("The requester's download is revoked.")
MADE_AVAILABLE = gettext_lazy("The requester can download the bundle again until %(date)s.")
NO_BUNDLE = gettext_lazy("There is no bundle for this case yet.")


def bundle_panel(case, user) -> dict:
    """What the case page's Bundle section shows ``user`` about ``case``."""
    bundle = (
        Bundle.objects.select_related("prepared_by", "revoked_by").filter(subject_case=case).first()
    )
    is_requester = roles.is_requester(user, case.request)
    caseworker = roles.has_role(user, roles.CASEWORKER) and not is_requester
    download_staff = (
        roles.has_any_role(user, (roles.CASEWORKER, roles.APPROVER)) and not is_requester
    )
    ready = bundle is not None and bundle.status == BundleStatus.READY
    approved = ready and bundle.available_until is not None
    state = bundles.download_state(case, bundle) if bundle is not None else None
    return {
        "case": case,
        "bundle": bundle,
        "ready": ready,
        "pending": bundle is not None
        and bundle.status in (BundleStatus.QUEUED, BundleStatus.RENDERING),
        "stalled": bundle is not None and bundles.bundle_stalled(bundle),
        "out_of_date": ready
        and case.status in (CaseStatus.IN_REVIEW, CaseStatus.AWAITING_APPROVAL)
        and bundle_out_of_date(bundle),
        "can_prepare": caseworker and case.status in bundles.PREPARABLE,
        # Preparing again past review voids the approval: confirm first.
        "prepare_voids_approval": case.status != CaseStatus.IN_REVIEW,
        "can_retry": caseworker
        and case.status in bundles.PREPARABLE
        and bundle is not None
        and (bundle.status == BundleStatus.FAILED or bundles.bundle_stalled(bundle)),
        "approved": approved,
        "download_state": state,
        "can_manage_download": download_staff and approved and case.status in bundles.DOWNLOADABLE,
        "downloads": list(bundles.download_history(bundle)[:50]) if approved else [],
        "requester_id": case.request.requester_id,
        "urls": _urls(case),
    }


def _urls(case) -> dict:
    return {
        name: reverse(f"sar_admin:bundle_{name}", args=[case.pk])
        for name in ("prepare", "retry", "status", "pdf", "revoke", "available")
    }


class BundleMixin(CaseMixin):
    """The case (among those this member of staff may see) and its bundle."""

    @cached_property
    def bundle(self) -> Bundle | None:
        return Bundle.objects.filter(subject_case=self.case).first()

    @cached_property
    def case_url(self) -> str:
        return reverse("sar_admin:case", args=[self.case.pk]) + "#sar-bundle-heading"

    def back_to_case(self):
        return redirect(self.case_url)


class PrepareForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is prepared again (optional)"),
        help_text=gettext_lazy("Staff only: kept in the case timeline and the audit trail."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the download is revoked"),
        help_text=gettext_lazy(
            "Staff only: the requester reads only that the download is no longer available."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": bundles.messages.REVOKE_REASON_REQUIRED},
    )


class BundleFormView(BundleMixin, WagtailAdminTemplateMixin, FormView):
    """A small confirmation form for one bundle action (GET), which posts to
    the same address; subclasses say which form and which domain function."""

    template_name = "sar/admin/bundle_form.html"
    header_icon = "doc-full-inverse"
    action_label = ""
    serious = False
    explanation = ""

    def get_page_title(self):
        return f"{self.action_label}: {self.case_heading()}"

    def get_breadcrumbs_items(self):
        return [
            *self.case_breadcrumbs(),
            {"url": self.case_url, "label": self.case_heading()},
            {"url": "", "label": self.action_label},
        ]

    def act(self, form):  # pragma: no cover - every subclass says
        raise NotImplementedError

    def form_valid(self, form):
        try:
            message = self.act(form)
        except SarError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        admin_messages.success(self.request, message)
        return self.back_to_case()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "case": self.case,
                "bundle": self.bundle,
                "action_label": self.action_label,
                "serious": self.serious,
                "explanation": self.explanation,
                "case_url": self.case_url,
                "media": context["form"].media,
            }
        )
        return context


class BundlePrepareView(BundleFormView):
    """Prepare the bundle (again). From the case page a case in review posts
    straight here; past review, this page first says that the approval will be
    void."""

    form_class = PrepareForm

    @property
    def action_label(self):
        return _("Prepare the bundle again") if self.bundle else _("Prepare the bundle")

    @property
    def explanation(self):
        if self.case.status in (CaseStatus.AWAITING_APPROVAL, CaseStatus.APPROVED):
            return _(
                "The case goes back to review: its approval, or the request for it, is "
                "void, and the requester cannot download the records until a new bundle "
                "is approved. An approved case's requester is told we are updating their "
                "records."
            )
        return _(
            "The bundle is built from the records chosen and the redactions decided now. "
            "It takes a few seconds for a small case and a few minutes for a large one."
        )

    @property
    def serious(self):
        return self.case.status != CaseStatus.IN_REVIEW

    def act(self, form):
        bundles.bundle_prepare(
            subject_case=self.case, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        return PREPARED

    def form_invalid(self, form):
        # Posted from the case page (no confirmation step): show why there.
        if self.request.method == "POST" and "from_case" in self.request.POST:
            for error in form.non_field_errors():
                admin_messages.error(self.request, error)
            return self.back_to_case()
        return super().form_invalid(form)


class BundleRetryView(BundleMixin, View):
    """Try a failed (or stalled) bundle again: a button on the case page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.bundle is None:
            admin_messages.error(request, NO_BUNDLE)
            return self.back_to_case()
        try:
            bundles.bundle_retry(bundle=self.bundle, actor=request.user)
        except SarError as error:
            admin_messages.error(request, error.message)
        else:
            admin_messages.success(request, PREPARED)
        return self.back_to_case()


class BundleStatusView(BundleMixin, TemplateView):
    """The status and progress alone, for the case page to poll while the
    bundle is prepared (no record data: nothing to audit)."""

    template_name = "sar/admin/bundle_status.html"

    def get_context_data(self, **kwargs):
        return bundle_panel(self.case, self.request.user)


class BundlePdfView(BundleMixin, View):
    """The decrypted PDF, as an attachment, for staff checking it."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        if self.bundle is None:
            admin_messages.error(request, NO_BUNDLE)
            return self.back_to_case()
        try:
            download = bundles.bundle_open_for_staff(
                bundle=self.bundle, actor=request.user, request=request
            )
        except SarError as error:
            admin_messages.error(request, error.message)
            return self.back_to_case()
        return pdf_response(download)


class BundleRevokeView(BundleFormView):
    form_class = RevokeForm
    action_label = gettext_lazy("Revoke the download")
    serious = True
    explanation = gettext_lazy(
        "The requester will no longer be able to download their records, and reads only "
        "that the download is no longer available. You can make it available again later."
    )

    def get(self, request, *args, **kwargs):
        if self.bundle is None:
            admin_messages.error(request, NO_BUNDLE)
            return self.back_to_case()
        return super().get(request, *args, **kwargs)

    def act(self, form):
        if self.bundle is None:
            raise SarError(str(NO_BUNDLE))
        bundles.bundle_revoke(
            bundle=self.bundle, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        return REVOKED


class BundleMakeAvailableView(BundleMixin, View):
    """Let the requester download the bundle again for another period: a
    button on the case page (the requester is told)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.bundle is None:
            admin_messages.error(request, NO_BUNDLE)
            return self.back_to_case()
        try:
            bundle = bundles.bundle_make_available(bundle=self.bundle, actor=request.user)
        except SarError as error:
            admin_messages.error(request, error.message)
        else:
            until = deadlines.london_date(bundle.available_until)
            admin_messages.success(request, MADE_AVAILABLE % {"date": f"{until.day} {until:%B %Y}"})
        return self.back_to_case()
