"""The questions of the parent's (or young person's) request journey, one form
a page. They parse and say what is missing in GOV.UK words; the rules of a
request are ``sar.workflow.request_submit``'s and ``sar.children.child_create``'s,
which run again when the request is sent (their messages are reused here so a
parent reads the same words wherever a rule stops them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.govuk_forms import GovukCheckboxSelectMultiple, GovukRadioSelect
from sar import children as child_rules
from sar.forms.govuk import NOT_FUTURE, PAST, GovukDateField, SarForm
from sar.models import Adjustment, Delivery, Relationship, Scope
from sar.workflow import messages
from sar.workflow.requests import long_date

ME = "me"
CHILD = "child"
BOTH = "both"
ABOUT_CHOICES = [
    (ME, _("Me")),
    (CHILD, _("My child or children")),
    (BOTH, _("Me and my child or children")),
]
YES = "yes"
NO = "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]
NO_ADJUSTMENTS = "none"
NEW_CHILD = "new"
DONE = "done"


class WhoForm(SarForm):
    page_heading_field = "about"

    about = forms.ChoiceField(
        label=_("Who do you want records about?"),
        choices=ABOUT_CHOICES,
        widget=GovukRadioSelect(
            hints={
                ME: _("Records about you. If you are 16 or over, you can ask for your own."),
                CHILD: _("You need to be their parent or carer."),
            }
        ),
        error_messages={"required": _("Select who you want records about")},
    )


class ChildForm(SarForm):
    """One child's details (the page has its own heading)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "required": _("Enter the child’s full name"),
            "max_length": _("Full name must be 200 characters or fewer"),
        },
    )
    date_of_birth = GovukDateField(
        label=_("Date of birth"),
        subject=_("Date of birth"),
        required_message=_("Enter the child’s date of birth"),
        must_be=PAST,
        help_text=_("For example, 27 3 2015"),
    )
    school_or_setting = forms.CharField(
        label=_("School or setting (optional)"),
        help_text=_(
            "For example, a school, college or nursery. Leave this empty if there is none."
        ),
        required=False,
        max_length=200,
        error_messages={"max_length": _("School or setting must be 200 characters or fewer")},
    )
    relationship = forms.ChoiceField(
        label=_("What is your relationship to the child?"),
        choices=Relationship.choices,
        widget=GovukRadioSelect,
        error_messages={"required": _("Select your relationship to the child")},
    )
    relationship_other = forms.CharField(
        label=_("Your relationship to the child"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Relationship must be 100 characters or fewer")},
    )
    has_parental_responsibility = forms.ChoiceField(
        label=_("Do you have parental responsibility for the child?"),
        help_text=_(
            "A birth mother has it. A father usually has it if he was married to the "
            "mother or is named on the birth certificate. A court can also give it."
        ),
        choices=YES_NO,
        widget=GovukRadioSelect(inline=True),
        error_messages={
            "required": _("Select yes if you have parental responsibility for the child")
        },
    )
    has_court_order = forms.ChoiceField(
        label=_("Is there a court order about the child?"),
        help_text=_("For example, a child arrangements order or a special guardianship order."),
        choices=YES_NO,
        widget=GovukRadioSelect,
        error_messages={"required": _("Select yes if there is a court order about the child")},
    )
    court_order = forms.CharField(
        label=_("Tell us about the court order"),
        help_text=_("What kind of order it is and what it says about who can see records."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Court order details must be 2,000 characters or fewer")},
    )

    conditional = {
        "relationship": {Relationship.OTHER.value: ["relationship_other"]},
        "has_court_order": {YES: ["court_order"]},
    }

    def clean(self):
        data = super().clean()
        if data.get("relationship") == Relationship.OTHER:
            if not (data.get("relationship_other") or "").strip():
                self.add_error("relationship_other", child_rules.RELATIONSHIP_OTHER_REQUIRED)
        else:
            data["relationship_other"] = ""
        if data.get("has_court_order") == YES:
            if not (data.get("court_order") or "").strip():
                self.add_error("court_order", _("Enter the details of the court order"))
        else:
            data["court_order"] = ""
        return data


class ChildrenChoiceForm(SarForm):
    """The add-another question under the list of children: add one of the
    children the parent told us about before, a new one, or (once there is
    at least one) say they have added everyone."""

    page_heading_field = None

    choice = forms.ChoiceField(
        widget=GovukRadioSelect,
        error_messages={"required": _("Select yes if you need to add another child")},
    )

    def __init__(self, *args, saved_children=(), have_some: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["choice"]
        hints = {}
        choices = []
        for child in saved_children:
            value = f"saved-{child.pk}"
            choices.append((value, child.full_name))
            hints[value] = _("Born %(date)s") % {"date": long_date(child.date_of_birth)}
        if saved_children:
            choices.append((NEW_CHILD, _("A child not listed here")))
            if have_some:
                choices.append((DONE, _("No, I have added all the children")))
                self.dividers = {"choice": {DONE: _("or")}}
                field.label = _("Do you need to add another child?")
            else:
                self.dividers = {"choice": {NEW_CHILD: _("or")}}
                field.label = _("Which child do you want records about?")
                field.error_messages["required"] = _("Select which child you want records about")
                self.page_heading_field = "choice"
                field.help_text = _("You can add more children after this one.")
        else:
            choices = [(NEW_CHILD, _("Yes")), (DONE, _("No"))]
            field.label = _("Do you need to add another child?")
            field.widget.inline = True
        field.choices = choices
        field.widget.hints = hints


class RemoveChildForm(SarForm):
    page_heading_field = "confirm"

    confirm = forms.ChoiceField(choices=YES_NO, widget=GovukRadioSelect(inline=True))

    def __init__(self, *args, name: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["confirm"]
        field.label = _("Are you sure you want to remove %(name)s?") % {"name": name}
        field.error_messages["required"] = _(
            "Select yes if you want to remove %(name)s from your request"
        ) % {"name": name}


class WhatForm(SarForm):
    page_heading_field = "scope"

    scope = forms.ChoiceField(
        label=_("Which records do you want?"),
        choices=Scope.choices,
        widget=GovukRadioSelect(
            hints={
                Scope.EVERYTHING: _("Everything we hold about the people in your request."),
                Scope.SPECIFIC: _("Records from certain dates or about certain things."),
            }
        ),
        error_messages={"required": messages.SCOPE_INVALID},
    )


class WhichRecordsForm(SarForm):
    """The dates and topics of "specific records" (a page of its own: GOV.UK
    reveals only a simple question under an option)."""

    date_from = GovukDateField(
        label=_("From"),
        subject=_("The ‘from’ date"),
        must_be=NOT_FUTURE,
        required=False,
        help_text=_("For example, 1 9 2022"),
    )
    date_to = GovukDateField(
        label=_("To"),
        subject=_("The ‘to’ date"),
        must_be=NOT_FUTURE,
        required=False,
        help_text=_("For example, 31 7 2024"),
    )
    topics = forms.CharField(
        label=_("What the records are about"),
        help_text=_("For example, my son’s EHC needs assessment, or a meeting with the school."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("This must be 2,000 characters or fewer")},
    )

    def clean(self):
        data = super().clean()
        # Only judge the whole when each date on its own was understood.
        if any(name in self.errors for name in ("date_from", "date_to")):
            return data
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from is None and date_to is None and not (data.get("topics") or "").strip():
            self.add_error("date_from", messages.SCOPE_DETAIL_REQUIRED)
        elif date_from and date_to and date_from > date_to:
            self.add_error("date_to", messages.DATE_RANGE_REVERSED)
        return data


class HowForm(SarForm):
    page_heading_field = "delivery"

    delivery = forms.ChoiceField(
        label=_("How do you want to get your records?"),
        choices=Delivery.choices,
        widget=GovukRadioSelect(
            hints={
                Delivery.DOWNLOAD: _(
                    "A PDF you download when you sign in. We email you when it is ready."
                ),
                Delivery.APPOINTMENT: _(
                    "Look at them with one of our team. You can book a time when they are ready."
                ),
            }
        ),
        error_messages={"required": _("Select how you want to get your records")},
    )


class AdjustmentsForm(SarForm):
    page_heading_field = "adjustments"

    adjustments = forms.MultipleChoiceField(
        label=_("Do you need any help or changes to use your records?"),
        help_text=_("Select all that apply."),
        choices=[*Adjustment.choices, (NO_ADJUSTMENTS, _("No, I do not need any of these"))],
        widget=GovukCheckboxSelectMultiple(
            hints={
                Adjustment.EASY_READ: _("Simple words and pictures."),
                Adjustment.INTERPRETER: _("Including British Sign Language."),
            }
        ),
        error_messages={
            "required": _("Select the help you need, or select ‘No, I do not need any of these’"),
        },
    )
    interpreter_language = forms.CharField(
        label=_("Which language?"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-one-half"}),
        error_messages={"max_length": _("Language must be 100 characters or fewer")},
    )
    adjustment_other = forms.CharField(
        label=_("Tell us what you need"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("This must be 500 characters or fewer")},
    )

    conditional = {
        "adjustments": {
            Adjustment.INTERPRETER.value: ["interpreter_language"],
            Adjustment.OTHER.value: ["adjustment_other"],
        }
    }
    dividers = {"adjustments": {NO_ADJUSTMENTS: _("or")}}
    exclusive = {"adjustments": NO_ADJUSTMENTS}

    def clean(self):
        data = super().clean()
        chosen = data.get("adjustments") or []
        if NO_ADJUSTMENTS in chosen and len(chosen) > 1:
            self.add_error(
                "adjustments",
                _("Select ‘No, I do not need any of these’ or the help you need, not both"),
            )
            return data
        if Adjustment.INTERPRETER in chosen:
            if not (data.get("interpreter_language") or "").strip():
                self.add_error("interpreter_language", messages.INTERPRETER_LANGUAGE_REQUIRED)
        else:
            data["interpreter_language"] = ""
        if Adjustment.OTHER in chosen:
            if not (data.get("adjustment_other") or "").strip():
                self.add_error("adjustment_other", messages.ADJUSTMENT_OTHER_REQUIRED)
        else:
            data["adjustment_other"] = ""
        return data


class CodeForm(SarForm):
    acknowledged = forms.BooleanField(
        label=_("I have read the confidentiality code"),
        error_messages={"required": messages.CODE_NOT_ACKNOWLEDGED},
    )
