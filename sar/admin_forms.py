"""Forms for the staff case screens in the Wagtail admin (rendered with
Wagtail's own field templates, not GOV.UK Frontend).

Each step form only parses what its domain function takes and hands it over
as keyword arguments (``domain_kwargs``); the rules (who may, from which
status, whether a reason is needed, which dates are allowed) are the domain's,
and the view shows the domain's message when it says no. Where a field is
required, its message is the domain's own constant, so the person reads the
same words whichever check caught it.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets import AdminDateInput

from sar import consent, deadlines, roles, safeguarding, selectors
from sar.models import CaseStatus, ConsentMethod, HoldExemption, ServiceCase, SubjectCase
from sar.workflow import messages
from sar.workflow.table import Transition

TEXTAREA = {"rows": 4}

# What the reason is, for the steps that need one.
REASON_LABELS = {
    "request_evidence": _("What evidence is needed"),
    "request_clarification": _("Your question for the requester"),
    "return": _("What needs more work"),
    "refuse": _("Why the request is manifestly unfounded or excessive"),
    "extend": _("Why the request is complex"),
}
PARENT_READS = _(
    "The requester reads this in their timeline (not in the email). Write it for them, "
    "and leave out anything they must not see."
)
STAFF_ONLY = _("Staff only: kept in the case timeline and the audit trail.")
AUDIT_ONLY = _("Kept in the audit trail; the requester does not see it.")


def reason_help(step: Transition) -> str:
    if step.parent_visible and "{reason}" in step.parent_message:
        return PARENT_READS
    return AUDIT_ONLY if step.parent_visible else STAFF_ONLY


class StepForm(forms.Form):
    """A step that takes a reason: required where the table says the step
    needs one, otherwise an optional note."""

    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args, step: Transition, case: SubjectCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.case = case
        field = self.fields["reason"]
        field.help_text = reason_help(step)
        if step.needs_reason:
            field.required = True
            field.label = REASON_LABELS.get(step.name, _("Reason"))
            field.error_messages["required"] = messages.REASON_REQUIRED

    def domain_kwargs(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class ReceiveEvidenceForm(StepForm):
    received_on = forms.DateField(
        label=_("Date the evidence arrived"),
        help_text=_("The time to respond runs from this day if it has not started yet."),
        widget=AdminDateInput,
        error_messages={"required": _("Enter the date the evidence arrived.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = deadlines.today()

    def domain_kwargs(self) -> dict:
        return {**super().domain_kwargs(), "received_on": self.cleaned_data["received_on"]}


class CaseworkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class AssignForm(forms.Form):
    assignee = CaseworkerChoiceField(
        label=_("Caseworker"),
        queryset=selectors.caseworkers(),
        required=False,
        empty_label=_("Nobody (unassigned)"),
    )

    def __init__(self, *args, step: Transition, case: SubjectCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].initial = case.assigned_to_id

    def domain_kwargs(self) -> dict:
        return {"assignee": self.cleaned_data["assignee"]}


class ChildViewsForm(forms.Form):
    competence_notes = forms.CharField(
        label=_("Assessment of the child's competence"),
        help_text=_(
            "Whether the child understands their rights and what release to a parent means."
        ),
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=5000,
        error_messages={"required": messages.COMPETENCE_NOTES_REQUIRED},
    )
    child_views = forms.CharField(
        label=_("The child's views (optional)"),
        help_text=_("What the child said about their records going to their parent."),
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=5000,
        required=False,
    )

    def __init__(self, *args, step: Transition, case: SubjectCase, **kwargs):
        super().__init__(*args, **kwargs)

    def domain_kwargs(self) -> dict:
        return {
            "competence_notes": self.cleaned_data["competence_notes"],
            "child_views": self.cleaned_data["child_views"],
        }


class YoungPersonConsentForm(forms.Form):
    given = forms.TypedChoiceField(
        label=_("Does the young person consent to their records going to the parent?"),
        choices=[("yes", _("Yes, consent given")), ("no", _("No, consent refused"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether the young person gave consent.")},
    )
    reason = forms.CharField(
        label=_("How consent was asked for and given (optional)"),
        help_text=STAFF_ONLY,
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=5000,
        required=False,
    )

    def __init__(self, *args, step: Transition, case: SubjectCase, **kwargs):
        super().__init__(*args, **kwargs)

    def domain_kwargs(self) -> dict:
        return {"given": self.cleaned_data["given"], "reason": self.cleaned_data["reason"]}


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"),
        choices=[(1, _("One month")), (2, _("Two months"))],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how many months to extend by.")},
    )
    reason = forms.CharField(
        label=REASON_LABELS["extend"],
        help_text=PARENT_READS,
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=5000,
        error_messages={"required": messages.REASON_REQUIRED},
    )

    def __init__(self, *args, step: Transition, case: SubjectCase, **kwargs):
        super().__init__(*args, **kwargs)

    def domain_kwargs(self) -> dict:
        return {"months": self.cleaned_data["months"], "reason": self.cleaned_data["reason"]}


HOLD_THIS_CASE = "case"
HOLD_SERVICE_CASE = "service_case"


class ExemptionField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Exemption relied on"),
            help_text=_("DPA 2018 Schedule 3: why the records may be held back."),
            choices=HoldExemption.choices,
            widget=forms.RadioSelect,
            error_messages={"required": safeguarding.EXEMPTION_REQUIRED},
            **kwargs,
        )


class HoldReasonField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Reason for the hold"),
            help_text=_(
                "Kept encrypted with the hold, for safeguarding leads and administrators "
                "only. The requester is never told, and caseworkers do not see the case "
                "while it is held."
            ),
            widget=forms.Textarea(attrs=TEXTAREA),
            max_length=10000,
            error_messages={"required": safeguarding.REASON_REQUIRED},
            **kwargs,
        )


class PlaceHoldForm(forms.Form):
    """Placing a hold from a case page: on this case, or on the requester's
    whole service case (``sar.workflow.case_place_hold``)."""

    scope = forms.ChoiceField(
        label=_("What to hold"),
        widget=forms.RadioSelect,
        initial=HOLD_THIS_CASE,
        error_messages={"required": _("Select what to hold.")},
    )
    exemption = ExemptionField()
    reason = HoldReasonField()

    def __init__(self, *args, step: Transition, case: SubjectCase, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(HOLD_THIS_CASE, _("This case only"))]
        service_case = safeguarding.service_case_for(case)
        if service_case is not None:
            choices.append(
                (
                    HOLD_SERVICE_CASE,
                    _(
                        "The requester's whole service case (%(case)s): every open case, "
                        "and any new request while the hold stands"
                    )
                    % {"case": service_case},
                )
            )
        self.fields["scope"].choices = choices

    def domain_kwargs(self) -> dict:
        return {
            "reason": self.cleaned_data["reason"],
            "exemption": self.cleaned_data["exemption"],
            "whole_service_case": self.cleaned_data["scope"] == HOLD_SERVICE_CASE,
        }


class LiftHoldForm(forms.Form):
    """Lifting the holds on a case from its page, with the decision recorded."""

    reason = forms.CharField(
        label=_("Decision to lift the hold"),
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=10000,
        error_messages={"required": safeguarding.DECISION_REQUIRED},
    )

    def __init__(self, *args, step: Transition, case: SubjectCase, **kwargs):
        super().__init__(*args, **kwargs)
        holds = list(safeguarding.standing_holds_for(case))
        others = {c for h in holds for c in h.cases.all()} - {case}
        help_text = _("What was decided, and why. Kept encrypted with the hold.")
        if any(h.service_case_id for h in holds):
            help_text = _(
                "%(text)s This case is held as part of a hold on the whole service case: "
                "lifting it lifts that hold, for every case it holds (%(count)d more)."
            ) % {"text": help_text, "count": len(others)}
        self.fields["reason"].help_text = help_text

    def domain_kwargs(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class ServiceCaseHoldForm(forms.Form):
    """Placing a hold on a service case from the holds report."""

    service_case = forms.ModelChoiceField(
        label=_("Service case"),
        queryset=ServiceCase.objects.none(),
        empty_label=_("Choose a service case"),
        error_messages={"required": _("Choose the service case to hold.")},
    )
    exemption = ExemptionField()
    reason = HoldReasonField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["service_case"]
        field.queryset = ServiceCase.objects.select_related("service_user").order_by("pk")
        field.label_from_instance = lambda sc: (
            f"{sc} · {sc.service_user.get_full_name() or sc.service_user.email} "
            f"· opened {sc.opened_on:%-d %b %Y}"
        )


class HoldLiftForm(forms.Form):
    """Lifting one hold from its page in the holds report."""

    decision = forms.CharField(
        label=_("Decision to lift the hold"),
        help_text=_(
            "What was decided, and why. Kept encrypted with the hold. Every case the "
            "hold covers goes back to where it was, unless another hold covers it."
        ),
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=10000,
        error_messages={"required": safeguarding.DECISION_REQUIRED},
    )


# The form for each step; every other step in the table takes a StepForm.
STEP_FORMS: dict[str, type[forms.Form]] = {
    "receive_evidence": ReceiveEvidenceForm,
    "assign": AssignForm,
    "record_child_views": ChildViewsForm,
    "record_young_person_consent": YoungPersonConsentForm,
    "extend": ExtendForm,
    "place_hold": PlaceHoldForm,
    "lift_hold": LiftHoldForm,
}


def step_form_class(name: str) -> type[forms.Form]:
    return STEP_FORMS.get(name, StepForm)


# The case list's filters ------------------------------------------------------

ASSIGNED_TO_ME = "me"
UNASSIGNED = "unassigned"

# The dashboard's clock filters, each one of the selectors behind a count.
CLOCK_FILTERS = {
    "overdue": _("Overdue"),
    "due_within_7_days": _("Due in the next 7 days"),
    "paused": _("Paused for clarification"),
    "extended": _("Extended"),
}


class CaseFilterSet(WagtailFilterSet):
    """The case list's filters. Only the form is used: the view hands the
    cleaned values to ``sar.selectors.cases_for_staff``, which does the
    filtering (scoped to who is looking)."""

    caseworker = django_filters.ChoiceFilter(
        label=_("Caseworker"), empty_label=_("Anyone"), method="unused"
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        help_text=_("Leave all unticked to see every open case."),
        widget=forms.CheckboxSelectMultiple,
        method="unused",
    )
    clock = django_filters.ChoiceFilter(
        label=_("Time to respond"),
        choices=list(CLOCK_FILTERS.items()),
        empty_label=_("Any"),
        widget=forms.RadioSelect,
        method="unused",
    )

    class Meta:
        model = SubjectCase
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        viewer = self.request.user
        people = [(str(p.pk), p.get_full_name() or p.email) for p in selectors.caseworkers()]
        self.filters["caseworker"].extra["choices"] = [
            (ASSIGNED_TO_ME, _("Assigned to me")),
            (UNASSIGNED, _("Unassigned")),
            *people,
        ]
        statuses = CaseStatus.choices
        if not roles.may_see_holds(viewer):
            statuses = [c for c in statuses if c[0] != CaseStatus.ON_HOLD]
        self.filters["status"].extra["choices"] = statuses

    def unused(self, queryset, name, value):
        return queryset


# Consent to disclose ----------------------------------------------------------


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


# What each empty detail says (the domain's own check, CONSENT_DETAIL_REQUIRED,
# names them all at once).
CONSENT_FIELD_REQUIRED = {
    "consent_given_by": _("Enter who gave consent."),
    "what_information": _("Enter what information may be disclosed."),
    "recipient": _("Enter who the information may be disclosed to."),
    "purpose": _("Enter the purpose of the disclosure."),
}


class ConsentForm(forms.Form):
    """Recording a consent to disclose (``sar.consent.consent_record``)."""

    child = ChildChoiceField(
        label=_("Who the information is about"),
        queryset=None,
        required=False,
        empty_label=_("The person themselves"),
    )
    consent_given_by = forms.CharField(
        label=_("Consent given by"),
        help_text=_("The person who gave consent, and who they are to the service user."),
        max_length=200,
    )
    what_information = forms.CharField(
        label=_("Information that may be disclosed"),
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=5000,
    )
    recipient = forms.CharField(label=_("Disclosed to"), max_length=300)
    purpose = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs=TEXTAREA), max_length=5000
    )
    given_on = forms.DateField(label=_("Date consent was given"), widget=AdminDateInput)
    method = forms.ChoiceField(
        label=_("How consent was given"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": consent.CONSENT_METHOD_INVALID},
    )
    expires_on = forms.DateField(
        label=_("Expires on (optional)"),
        help_text=_("Leave empty if the consent does not expire."),
        widget=AdminDateInput,
        required=False,
    )

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = selectors.children_for_parent(parent)
        self.fields["given_on"].initial = deadlines.today()
        for name, message in CONSENT_FIELD_REQUIRED.items():
            self.fields[name].error_messages["required"] = message

    def domain_kwargs(self) -> dict:
        return dict(self.cleaned_data)


# Retention and disposal -------------------------------------------------------


class LeftEducationForm(forms.Form):
    left_on = forms.DateField(
        label=_("Date they left education"),
        help_text=_(
            "When the child or young person left school, college or training. Leave empty "
            "to clear a date recorded by mistake."
        ),
        widget=AdminDateInput,
        required=False,
    )


class DisposalConfirmForm(forms.Form):
    typed = forms.CharField(
        label=_("Type the case's name to confirm"),
        max_length=100,
        error_messages={"required": _("Type the case's name to confirm.")},
    )

    def __init__(self, *args, phrase: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typed"].help_text = _(
            "Type “%(phrase)s”. Everything listed above is deleted and cannot be recovered."
        ) % {"phrase": phrase}
