"""The parent's booking questions (GOV.UK question pages) and the staff
cancellation form. Forms parse; ``appointments.booking`` decides."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments import formats
from appointments.availability import Slot
from appointments.booking import LANGUAGE_NEEDED, REASON_NEEDED, Adjustments
from appointments.models import Location, LocationKind
from portal.govuk_forms import GovukCheckboxSelectMultiple, GovukForm, GovukRadioSelect


class RequestChoiceForm(GovukForm):
    page_heading_field = "request"
    request = forms.ChoiceField(
        label=_("Which request is the appointment for?"),
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select the request the appointment is for"),
            "invalid_choice": _("Select the request the appointment is for"),
        },
    )

    def __init__(self, *args, requests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].choices = [(r.reference, r.reference) for r in requests]


def location_hint(location: Location) -> str:
    if location.kind == LocationKind.OFFICE:
        return ", ".join(line.strip() for line in location.address.splitlines() if line.strip())
    return location.instructions


class LocationForm(GovukForm):
    page_heading_field = "location"
    location = forms.ChoiceField(
        label=_("How would you like to have the appointment?"),
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select how you would like to have the appointment"),
            "invalid_choice": _("Select how you would like to have the appointment"),
        },
    )

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["location"]
        field.choices = [
            (str(loc.pk), f"{loc.get_kind_display()}: {loc.name}")
            if loc.kind == LocationKind.OFFICE
            else (str(loc.pk), loc.get_kind_display())
            for loc in locations
        ]
        field.widget.hints = {str(loc.pk): location_hint(loc) for loc in locations}


ADJUSTMENT_CHOICES = [
    ("interpreter", _("An interpreter")),
    ("step_free_access", _("Step-free access")),
    ("quiet_room", _("A quiet room")),
    ("longer_slot", _("A longer appointment")),
]


class AdjustmentsForm(GovukForm):
    needs = forms.MultipleChoiceField(
        label=_("Do you need anything to help you at the appointment?"),
        help_text=_("Select all that apply, or none."),
        choices=ADJUSTMENT_CHOICES,
        required=False,
        widget=GovukCheckboxSelectMultiple(
            hints={
                "quiet_room": _("A room away from noise and other people."),
                "longer_slot": _("Twice as long, if you need more time to read or talk."),
            }
        ),
        error_messages={"invalid_choice": _("Select what you need from the list")},
    )
    interpreter_language = forms.CharField(
        label=_("If you need an interpreter, which language?"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        error_messages={"max_length": _("Language must be 100 characters or fewer")},
    )
    page_heading_field = "needs"

    def clean(self):
        cleaned = super().clean()
        needs = cleaned.get("needs") or []
        language = (cleaned.get("interpreter_language") or "").strip()
        if "interpreter" in needs and not language:
            self.add_error("interpreter_language", LANGUAGE_NEEDED)
        if language and "interpreter" not in needs:
            # A language given means an interpreter is wanted.
            cleaned["needs"] = [*needs, "interpreter"]
        return cleaned

    def adjustments(self) -> Adjustments:
        needs = set(self.cleaned_data.get("needs") or [])
        return Adjustments(
            interpreter_language=self.cleaned_data.get("interpreter_language", "").strip()
            if "interpreter" in needs
            else "",
            step_free_access="step_free_access" in needs,
            quiet_room="quiet_room" in needs,
            longer_slot="longer_slot" in needs,
        )

    @staticmethod
    def initial_for(adjustments: dict) -> dict:
        needs = [
            name
            for name in ("step_free_access", "quiet_room", "longer_slot")
            if adjustments.get(name)
        ]
        if adjustments.get("interpreter_language"):
            needs.insert(0, "interpreter")
        return {"needs": needs, "interpreter_language": adjustments.get("interpreter_language", "")}


class DateForm(GovukForm):
    page_heading_field = "date"
    date = forms.ChoiceField(
        label=_("Which day would you like?"),
        help_text=_("These are the days with times free."),
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select a day"),
            "invalid_choice": _("Select one of the days shown"),
        },
    )

    def __init__(self, *args, dates: list[datetime.date] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].choices = [(d.isoformat(), formats.date_text(d)) for d in dates]

    def chosen(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["date"])


class TimeForm(GovukForm):
    page_heading_field = "start"
    start = forms.ChoiceField(
        label=_("What time would you like?"),
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select a time"),
            "invalid_choice": _("Select one of the times shown"),
        },
    )

    def __init__(self, *args, slots: list[Slot] = (), day: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["start"]
        if day is not None:
            field.label = _("What time would you like on %(day)s?") % {
                "day": formats.date_text(day)
            }
        field.choices = [
            (s.start.isoformat(), formats.time_range_text(s.start, s.end)) for s in slots
        ]

    def chosen(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.cleaned_data["start"])


class StaffCancelForm(forms.Form):
    """The admin's cancel form: the reason is kept on the booking and in the
    audit trail, never sent to the parent."""

    reason = forms.CharField(
        label=_("Why is the appointment cancelled?"),
        help_text=_("For the record. The parent is told the time is cancelled, not why."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_NEEDED},
    )
