"""Consent to disclose, for staff: find the person, see every consent
recorded for them (an audit event: it reads personal data), and record a new
one through ``sar.consent.consent_record``."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages as admin_messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.audit.events import record
from sar import consent, deadlines, roles, selectors
from sar.admin_forms import ConsentForm
from sar.admin_views.access import CONSENTS_VIEW_PURPOSE, CaseStaffRequiredMixin, person_label
from sar.exceptions import SarError

NO_SUCH_PERSON = "There is no service user with that email address."


def consents_breadcrumbs():
    return [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse("sar_admin:consents"), "label": _("Consents to disclose")},
    ]


class ConsentIndexView(CaseStaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Find a service user by email address, or pick one of those who have
    consents recorded."""

    template_name = "sar/admin/consent_index.html"
    page_title = gettext_lazy("Consents to disclose")
    header_icon = "clipboard-list"
    per_page = 50

    def get(self, request, *args, **kwargs):
        email = request.GET.get("email", "").strip()
        if email:
            person = selectors.service_user_by_email(email)
            if person is not None:
                return redirect("sar_admin:parent_consents", person.pk)
            admin_messages.error(request, _(NO_SUCH_PERSON))
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people = (
            get_user_model()
            .objects.filter(disclosure_consents__isnull=False)
            .annotate(consent_count=Count("disclosure_consents"))
            .order_by("full_name", "email")
        )
        page = Paginator(people, self.per_page).get_page(self.request.GET.get("p"))
        # The list names the people with consents recorded: a read (of the
        # page the paginator chose, never the visitor's raw query string).
        record(
            action="sar.consent_list.viewed",
            actor=self.request.user,
            reason=CONSENTS_VIEW_PURPOSE,
            request=self.request,
            data={"page": page.number},
        )
        context["page_obj"] = page
        context["email"] = self.request.GET.get("email", "")
        return context


class ParentMixin(CaseStaffRequiredMixin):
    """The service user in the URL: never a member of staff (staff have no
    consent records of their own here)."""

    @cached_property
    def parent(self):
        person = get_user_model().objects.filter(pk=self.kwargs["parent_pk"]).first()
        if person is None or person.is_staff_account:
            raise Http404("No such person.")
        return person

    def parent_breadcrumbs(self):
        return [
            *consents_breadcrumbs(),
            {
                "url": reverse("sar_admin:parent_consents", args=[self.parent.pk]),
                "label": person_label(self.parent),
            },
        ]


class ParentConsentsView(ParentMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "sar/admin/parent_consents.html"
    header_icon = "clipboard-list"

    def get_page_title(self):
        return _("Consents to disclose: %(person)s") % {"person": person_label(self.parent)}

    def get_breadcrumbs_items(self):
        return self.parent_breadcrumbs()

    def get(self, request, *args, **kwargs):
        record(
            action="sar.consent.viewed",
            actor=request.user,
            obj=self.parent,
            reason=CONSENTS_VIEW_PURPOSE,
            request=request,
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            {
                "parent": self.parent,
                "consents": selectors.consents_for_parent(self.parent).select_related(
                    "recorded_by", "withdrawn_by"
                ),
                "today": deadlines.today(),
                "may_record": roles.has_role(user, roles.CASEWORKER),
                "record_url": reverse("sar_admin:consent_record", args=[self.parent.pk]),
                "cases": selectors.cases_for_staff(viewer=user, sort="-received").filter(
                    request__requester=self.parent
                ),
            }
        )
        return context


class ConsentRecordView(ParentMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "sar/admin/consent_record.html"
    form_class = ConsentForm
    header_icon = "clipboard-list"

    def get_page_title(self):
        return _("Record a consent to disclose")

    def get_breadcrumbs_items(self):
        return [*self.parent_breadcrumbs(), {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        # The form shows the person and their children's names.
        record(
            action="sar.consent.viewed",
            actor=request.user,
            obj=self.parent,
            reason=CONSENTS_VIEW_PURPOSE,
            request=request,
        )
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parent": self.parent}

    def form_valid(self, form):
        try:
            consent.consent_record(
                recorded_by=self.request.user, parent=self.parent, **form.domain_kwargs()
            )
        except SarError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        admin_messages.success(self.request, _("Consent to disclose recorded."))
        return redirect("sar_admin:parent_consents", self.parent.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parent"] = self.parent
        context["media"] = context["form"].media
        context["cancel_url"] = reverse("sar_admin:parent_consents", args=[self.parent.pk])
        return context
