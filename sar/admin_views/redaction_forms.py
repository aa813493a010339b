"""Forms for choosing a subject case's records and reviewing their redaction
in the Wagtail admin (rendered with Wagtail's own field templates).

They parse what the domain functions take (``sar.records``,
``sar.redactions``) and hand it over as keyword arguments
(``domain_kwargs``); the rules (who may, when, whether a span fits the text,
"other exemption" needing its words) are the domain's, and the view shows the
domain's message when it says no. Where a field is required, its message is
the domain's own constant, so the person reads the same words whichever
check caught it.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from sar.models import RecordKind, RedactedField, RedactionDecision
from sar.records import DECISION_REASON_NEEDED
from sar.redaction import ReasonCode
from sar.redactions import REASON_REQUIRED, SPAN_EMPTY
from sar.workflow.messages import DATE_RANGE_REVERSED

TEXTAREA = {"rows": 3}

REASON_DETAIL_LABEL = _("Exemption relied on (for “Other exemption”)")
REASON_DETAIL_HELP = _("Name the exemption and why it applies. Staff only: never released.")


# Choosing records ---------------------------------------------------------------

SHOW_ALL = ""
SHOW_SELECTED = "selected"
SHOW_NOT_SELECTED = "not_selected"


class RecordFilterForm(forms.Form):
    """The records screen's filters (GET). ``person`` is a third party on the
    requester's cases ("person-<id>") or a child they concern ("child-<id>")."""

    date_from = forms.DateField(label=_("From"), required=False, widget=AdminDateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=AdminDateInput)
    kinds = forms.MultipleChoiceField(
        label=_("Kind"),
        choices=RecordKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    person = forms.ChoiceField(label=_("Person mentioned or concerned"), required=False)
    show = forms.ChoiceField(
        label=_("Show"),
        choices=[
            (SHOW_ALL, _("All records found")),
            (SHOW_SELECTED, _("Chosen for this request")),
            (SHOW_NOT_SELECTED, _("Not chosen")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, people=(), children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {f"person-{p.pk}": p for p in people}
        self.children = {f"child-{c.pk}": c for c in children}
        choices = [("", _("Anyone"))]
        choices += [(key, f"{c.full_name} ({_('child')})") for key, c in self.children.items()]
        choices += [
            (key, f"{p.full_name} ({p.role})" if p.role else p.full_name)
            for key, p in self.people.items()
        ]
        self.fields["person"].choices = choices
        self.fields["show"].initial = SHOW_ALL

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", DATE_RANGE_REVERSED)
        return cleaned

    def search_kwargs(self) -> dict:
        """What ``sar.records.records_search`` takes (empty when invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        key = data.get("person") or ""
        return {
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "kinds": data.get("kinds") or (),
            "person": self.people.get(key) or self.children.get(key),
        }

    @property
    def showing(self) -> str:
        """Which records to list: all found, only those chosen, or the rest."""
        return self.cleaned_data.get("show", SHOW_ALL) if self.is_valid() else SHOW_ALL


ATTACH = "attach"
DETACH = "detach"
ATTACH_ALL = "attach_all"

NONE_TICKED = {
    ATTACH: _("Tick the records to add to this request."),
    DETACH: _("Tick the records to remove from this request."),
}


class SelectionForm(forms.Form):
    """Adding or removing the ticked records (or adding every record the
    filters found)."""

    action = forms.ChoiceField(
        choices=[(ATTACH, ATTACH), (DETACH, DETACH), (ATTACH_ALL, ATTACH_ALL)]
    )
    records = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].queryset = records

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action in NONE_TICKED and not cleaned.get("records"):
            raise forms.ValidationError(NONE_TICKED[action])
        return cleaned


class IncludeConfidentialForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this record is included in requests"),
        help_text=_(
            "For example: the young person agreed, or the record is about the parent's own "
            "contact with us. Staff only; it applies to every request this record is in."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": DECISION_REASON_NEEDED},
    )


# Redaction ----------------------------------------------------------------------


class ReasonForm(forms.Form):
    """A reason for holding something back: the code printed in the black box,
    and for "other exemption" the exemption in words."""

    reason_code = forms.ChoiceField(
        label=_("Reason"),
        choices=ReasonCode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": REASON_REQUIRED, "invalid_choice": REASON_REQUIRED},
    )
    reason_detail = forms.CharField(
        label=REASON_DETAIL_LABEL,
        help_text=REASON_DETAIL_HELP,
        max_length=1000,
        required=False,
    )

    def reason_kwargs(self) -> dict:
        return {
            "reason_code": self.cleaned_data["reason_code"],
            "reason_detail": self.cleaned_data.get("reason_detail", ""),
        }


class SuggestionForm(ReasonForm):
    """One suggestion: redact it (with a reason) or keep it. Compact, since a
    record can have many: the reason is a drop-down, third-party data first."""

    field = forms.ChoiceField(choices=RedactedField.choices, widget=forms.HiddenInput)
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].widget = forms.Select(choices=ReasonCode.choices)
        self.fields["reason_code"].required = False
        self.fields["reason_code"].initial = ReasonCode.THIRD_PARTY

    def span_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"field": data["field"], "start": data["start"], "end": data["end"]}


class AcceptAllForm(ReasonForm):
    """Redact every suggestion left, for one reason (third-party data unless
    told otherwise)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].initial = ReasonCode.THIRD_PARTY


class ManualRedactionForm(ReasonForm):
    """Words chosen by hand. With JavaScript, selecting words on the page
    fills every field (``start`` and ``end`` are the selection's offsets, in
    the browser's characters); without it, the words are typed or pasted and
    ``occurrence`` says which appearance is meant."""

    field = forms.ChoiceField(
        label=_("Part of the record"),
        choices=RedactedField.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the part of the record the words are in.")},
    )
    text = forms.CharField(
        label=_("Words to redact"),
        help_text=_("Select them in the record above, or copy them here exactly as they appear."),
        max_length=5000,
        required=False,
        strip=False,
        # A textarea keeps the line breaks of words selected across lines.
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    occurrence = forms.IntegerField(
        label=_("Which time they appear"),
        help_text=_("1 for the first time the words appear in that part, 2 for the second…"),
        min_value=1,
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    start = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    field_order = ["field", "text", "occurrence", "reason_code", "reason_detail"]

    def __init__(self, *args, parts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parts is not None:
            self.fields["field"].choices = [(p, RedactedField(p).label) for p in parts]
            if len(parts) == 1:
                self.fields["field"].initial = parts[0]

    def clean_text(self):
        # Always needed: the offsets are only trusted when they cover these words.
        text = self.cleaned_data.get("text") or ""
        if not text.strip():
            raise forms.ValidationError(SPAN_EMPTY)
        return text


class ChangeDecisionForm(ReasonForm):
    """Redact or keep a decided suggestion, or give a redaction another reason."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=RedactionDecision.choices,
        widget=forms.RadioSelect,
        initial=RedactionDecision.ACCEPTED,
    )

    field_order = ["decision", "reason_code", "reason_detail"]

    def __init__(self, *args, can_keep: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].required = False
        self.fields["reason_code"].widget = forms.Select(
            choices=[("", _("(none: the words are kept)")), *ReasonCode.choices]
        )
        if not can_keep:
            self.fields["decision"].choices = [
                (RedactionDecision.ACCEPTED, RedactionDecision.ACCEPTED.label)
            ]

    def change_kwargs(self) -> dict:
        return {"decision": self.cleaned_data["decision"], **self.reason_kwargs()}


class WithholdForm(ReasonForm):
    """Withhold the whole record: a redaction too, with its reason."""
