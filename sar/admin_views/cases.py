"""One case: what was asked, the clock, the person it is about, the timeline,
and the steps this member of staff can take now; and the one view every step
form posts to, which calls the step's domain function.

Opening a case reads personal data, so it is an audit event
("sar.case.viewed", with the purpose). The steps write their own timeline
entries and audit events (``sar.workflow``). The buttons shown are the
workflow's ``allowed_transitions`` and ``allowed_actions``; a step posted
without its button (a forged or stale form) still goes to the domain, whose
message is shown on the page.
"""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages as admin_messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.audit.events import record
from sar import children, clock, deadlines, roles, safeguarding, selectors
from sar.admin_forms import step_form_class
from sar.admin_views.access import (
    CASE_VIEW_PURPOSE,
    CaseStaffRequiredMixin,
    person_label,
    subject_label,
)
from sar.exceptions import SarError
from sar.models import ANSWERED_STATUSES, Adjustment, SubjectKind
from sar.workflow import (
    CASE_STEPS,
    Transition,
    allowed_actions,
    allowed_transitions,
    case_assign,
    case_record_child_views,
    case_record_young_person_consent,
    request_extend,
)
from sar.workflow.table import transition


def case_extend(*, case, actor, months: int, reason: str):
    """Extending is a step on the whole request (``request_extend``), taken
    from any of its cases."""
    return request_extend(request=case.request, actor=actor, months=months, reason=reason)


# Extending is not in the case transition table (it changes the request's
# clock, not a case's status); this row only names its button and form.
# ``request_extend`` decides who may extend and when.
EXTEND = Transition(
    "extend",
    "extend the time to respond",
    sources=(),
    target=None,
    roles=(roles.CASEWORKER,),
    needs_reason=True,
    changes_status=False,
)

# Every step a staff screen can take, by the name it posts.
STEP_FUNCTIONS = {
    **CASE_STEPS,
    "assign": case_assign,
    "record_child_views": case_record_child_views,
    "record_young_person_consent": case_record_young_person_consent,
    "extend": case_extend,
}

STEP_NOT_OFFERED = "“%(step)s” is not available for this case now."

# Steps that stop or end the work: an outlined button, never the obvious click.
SERIOUS_STEPS = {"refuse", "place_hold", "return"}


def step_definition(name: str) -> Transition:
    if name == EXTEND.name:
        return EXTEND
    if name not in STEP_FUNCTIONS:
        raise Http404("No such step.")
    return transition(name)


def offered_steps(case, user) -> list[Transition]:
    """The buttons for ``user`` on ``case``: the workflow's allowed steps and
    actions, less the recording actions that do not apply to this person
    (a child's views only for a child; consent only from a young person of
    16+), plus the extension for a caseworker while the case is open."""
    steps = list(allowed_transitions(case, user))
    for action in allowed_actions(case, user):
        if action.name == "record_child_views" and case.kind != SubjectKind.CHILD:
            continue
        if action.name == "record_young_person_consent" and not (
            children.needs_young_person_consent(case)
        ):
            continue
        steps.append(action)
    request = case.request
    if (
        roles.has_role(user, roles.CASEWORKER)
        and not roles.is_requester(user, request)
        and case.status not in ANSWERED_STATUSES
        and request.clock_started_on is not None
        and request.extension_months < deadlines.MAX_EXTENSION_MONTHS
    ):
        steps.append(EXTEND)
    return steps


def step_label(step: Transition) -> str:
    return capfirst(step.label)


class CaseMixin(CaseStaffRequiredMixin):
    """Looks the case up among those this member of staff may see (a hold
    they may not see, or their own request, is a 404)."""

    @cached_property
    def case(self):
        return selectors.case_for_staff(self.request.user, self.kwargs["pk"])

    def case_heading(self) -> str:
        return f"{self.case.request.reference} · {subject_label(self.case)}"

    def case_breadcrumbs(self):
        return [
            *WagtailAdminTemplateMixin.breadcrumbs_items,
            {"url": reverse("sar_admin:dashboard"), "label": _("Requests")},
        ]


class CaseDetailView(CaseMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "sar/admin/case_detail.html"
    header_icon = "folder-open-inverse"

    def get_page_title(self):
        return self.case_heading()

    def get_breadcrumbs_items(self):
        return [*self.case_breadcrumbs(), {"url": "", "label": self.case_heading()}]

    def get(self, request, *args, **kwargs):
        case = self.case
        record(
            action="sar.case.viewed",
            actor=request.user,
            obj=case,
            reason=CASE_VIEW_PURPOSE,
            request=request,
            data={"request": case.request.reference},
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.case
        request = case.request
        user = self.request.user
        today = deadlines.today()
        adjustments = [Adjustment(a).label for a in request.adjustments if a in Adjustment.values]
        context.update(
            {
                "case": case,
                "access_request": request,
                "requester": request.requester,
                "subject_label": subject_label(case),
                "subject_age": children.subject_age(case),
                "needs_competence": children.needs_competence_record(case),
                "needs_consent": children.needs_young_person_consent(case),
                "received_on": deadlines.london_date(request.received_at),
                "overdue_days": selectors.days_overdue(case, today=today),
                "projected_due_on": clock.projected_due_on(request, today=today),
                "adjustments": adjustments,
                "assigned_to": person_label(case.assigned_to),
                "timeline": selectors.staff_timeline(user, case),
                "other_cases": selectors.cases_for_staff(viewer=user)
                .filter(request=request)
                .exclude(pk=case.pk),
                "steps": [
                    {
                        "name": step.name,
                        "label": step_label(step),
                        "url": reverse("sar_admin:case_step", args=[case.pk, step.name]),
                        "serious": step.name in SERIOUS_STEPS,
                    }
                    for step in offered_steps(case, user)
                ],
                "consents_url": reverse("sar_admin:parent_consents", args=[request.requester_id]),
                "consent_count": selectors.consents_for_parent(request.requester).count(),
                # Only those who may see holds reach a held case at all.
                "holds": [
                    {"label": _("Hold %(number)d") % {"number": hold.pk}, "pk": hold.pk}
                    for hold in safeguarding.standing_holds_for(case)
                ]
                if roles.may_see_holds(user)
                else [],
            }
        )
        return context


class CaseStepView(CaseMixin, WagtailAdminTemplateMixin, FormView):
    """The small form for one step (GET), and the one place every step form
    posts to (POST): parse, call the step's domain function, and go back to
    the case, or show the domain's message here with what was typed kept."""

    template_name = "sar/admin/case_step.html"
    header_icon = "folder-open-inverse"

    @cached_property
    def step(self) -> Transition:
        return step_definition(self.kwargs["step"])

    def get_page_title(self):
        return f"{step_label(self.step)}: {self.case_heading()}"

    def get_breadcrumbs_items(self):
        return [
            *self.case_breadcrumbs(),
            {"url": self.case_url, "label": self.case_heading()},
            {"url": "", "label": step_label(self.step)},
        ]

    @cached_property
    def case_url(self) -> str:
        return reverse("sar_admin:case", args=[self.case.pk])

    def get(self, request, *args, **kwargs):
        if self.step.name not in {s.name for s in offered_steps(self.case, request.user)}:
            admin_messages.warning(request, _(STEP_NOT_OFFERED) % {"step": step_label(self.step)})
            return redirect(self.case_url)
        return super().get(request, *args, **kwargs)

    def get_form_class(self):
        return step_form_class(self.step.name)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "step": self.step, "case": self.case}

    def form_valid(self, form):
        perform = STEP_FUNCTIONS[self.step.name]
        try:
            case = perform(case=self.case, actor=self.request.user, **form.domain_kwargs())
        except SarError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        admin_messages.success(self.request, self.success_message(case))
        return redirect(self.case_url)

    def success_message(self, case) -> str:
        if self.step.changes_status:
            return _("Done: %(step)s. The case is now “%(status)s”.") % {
                "step": self.step.label,
                "status": case.get_status_display(),
            }
        return _("Done: %(step)s.") % {"step": self.step.label}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "case": self.case,
                "subject_label": subject_label(self.case),
                "step": self.step,
                "step_label": step_label(self.step),
                "case_url": self.case_url,
                "media": context["form"].media,
            }
        )
        return context
