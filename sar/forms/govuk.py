"""Two GOV.UK Frontend patterns the portal's form renderer (``portal.govuk_forms``)
does not draw yet, for the parent's request journey:

- the date input (day, month, year boxes) with the GOV.UK date pattern's
  error rules: "Enter ...", "... must include a month", "... must be a real
  date", "... must be in the past", only the boxes in error highlighted and
  the error summary linking to the first of them;
- radios and checkboxes with conditionally revealed questions, dividers ("or")
  and an exclusive "none" checkbox.

Declare them on a form that inherits ``SarForm``::

    class ChildForm(SarForm):
        relationship = forms.ChoiceField(widget=GovukRadioSelect, ...)
        relationship_other = forms.CharField(required=False, ...)
        date_of_birth = GovukDateField(subject=_("Date of birth"), must_be=PAST, ...)

        conditional = {"relationship": {"other": ["relationship_other"]}}
        dividers = {"adjustments": {"none": _("or")}}       # "or" above "none"
        exclusive = {"adjustments": "none"}

Revealed fields are drawn inside their option (never a second time at the
end of the form) and are still ordinary fields: the form's ``clean`` decides
when they are needed. Without JavaScript every revealed question is shown.

Both are generic; they live here until a second app needs them, then belong
in ``portal.govuk_forms``.
"""

from __future__ import annotations

import calendar
import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.govuk_forms import GovukBoundField, GovukFormMixin
from sar import deadlines

PARTS = ("day", "month", "year")
PART_NAMES = {
    "day": gettext_lazy("day"),
    "month": gettext_lazy("month"),
    "year": gettext_lazy("year"),
}
PART_LABELS = {
    "day": gettext_lazy("Day"),
    "month": gettext_lazy("Month"),
    "year": gettext_lazy("Year"),
}
# What must be true of a date: before today, or today at the latest.
PAST = "past"
NOT_FUTURE = "not_future"
# The earliest year anyone would mean: catches "15" typed for "2015".
EARLIEST_YEAR = 1900

_MONTHS = {
    name.lower(): number
    for names in (calendar.month_name, calendar.month_abbr)
    for number, name in enumerate(names)
    if name
}
_MONTHS["sept"] = 9


class DatePartsWidget(forms.MultiWidget):
    """Three text boxes posted as ``<name>_day``, ``<name>_month`` and
    ``<name>_year``. Drawn by ``sar/forms/date_input.html``, not by itself."""

    input_type = "text"  # read by GovukBoundField.build_widget_attrs

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput() for part in PARTS}, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]


def _date_error(message: str, code: str, parts) -> ValidationError:
    # ``parts`` are the boxes to highlight; Django formats a message with its
    # params only where it has %-placeholders, which these never have.
    return ValidationError(message, code=code, params={"parts": tuple(parts)})


def _whole_number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


class GovukDateField(forms.Field):
    """A date typed into three boxes (the GOV.UK date input).

    ``subject`` starts the error messages ("Date of birth must include a
    month"); ``required_message`` is shown when nothing is entered ("Enter the
    child's date of birth"); ``must_be`` is ``PAST`` or ``NOT_FUTURE`` (or
    None) and is judged on today's date in London. Month names ("Feb",
    "february") are accepted as well as numbers."""

    widget = DatePartsWidget

    def __init__(self, *, subject: str, required_message: str = "", must_be=None, **kwargs):
        self.subject = subject
        self.required_message = required_message
        self.must_be = must_be
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, datetime.date) or value is None:
            return value
        day, month, year = ((part or "").strip() for part in (list(value) + ["", "", ""])[:3])
        if not (day or month or year):
            return None
        missing = [name for name, text in zip(PARTS, (day, month, year), strict=True) if not text]
        if missing:
            raise _date_error(
                _("%(subject)s must include a %(parts)s")
                % {
                    "subject": self.subject,
                    "parts": _(" and ").join(str(PART_NAMES[p]) for p in missing),
                },
                "incomplete",
                missing,
            )
        day_number = _whole_number(day)
        month_number = _whole_number(month) or _MONTHS.get(month.lower().rstrip("."))
        if len(year) != 4 or not year.isdigit():
            raise _date_error(_("Year must include 4 numbers"), "year", ["year"])
        try:
            date = datetime.date(int(year), month_number or 0, day_number or 0)
        except (TypeError, ValueError):
            raise _date_error(
                _("%(subject)s must be a real date") % {"subject": self.subject}, "invalid", PARTS
            ) from None
        if date.year < EARLIEST_YEAR:
            raise _date_error(
                _("%(subject)s must be a real date") % {"subject": self.subject}, "invalid", PARTS
            )
        return date

    def validate(self, value):
        if value is None:
            if self.required:
                raise _date_error(
                    self.required_message
                    or _("Enter %(subject)s") % {"subject": self.subject.lower()},
                    "required",
                    PARTS,
                )
            return
        today = deadlines.today()
        if self.must_be == PAST and value >= today:
            raise _date_error(
                _("%(subject)s must be in the past") % {"subject": self.subject}, "past", PARTS
            )
        if self.must_be == NOT_FUTURE and value > today:
            raise _date_error(
                _("%(subject)s must be today or in the past") % {"subject": self.subject},
                "not_future",
                PARTS,
            )


class SarBoundField(GovukBoundField):
    """Knows about date inputs and conditionally revealed questions."""

    @property
    def kind(self) -> str:
        if isinstance(self.field.widget, DatePartsWidget):
            return "date"
        return super().kind

    @property
    def template_name(self):
        if self.field.template_name:
            return self.field.template_name
        if self.kind == "date":
            return "sar/forms/date_input.html"
        if self.kind in ("radios", "checkboxes"):
            return "sar/forms/choices.html"
        return super().template_name

    @property
    def is_nested(self) -> bool:
        """Revealed inside another question's option, so drawn there."""
        return self.name in self.form.nested_field_names()

    # Date input --------------------------------------------------------------

    @property
    def error_parts(self) -> set[str]:
        parts = set()
        for error in self.errors.as_data():
            parts.update((error.params or {}).get("parts", PARTS))
        return parts

    @property
    def date_parts(self) -> list[dict]:
        value = self.value()
        if isinstance(value, datetime.date):
            texts = [str(value.day), str(value.month), str(value.year)]
        elif isinstance(value, list | tuple):
            texts = [("" if v is None else str(v)) for v in (list(value) + ["", "", ""])[:3]]
        else:
            texts = ["", "", ""]
        highlighted = self.error_parts
        return [
            {
                "id": f"{self.auto_id}_{part}",
                "name": f"{self.html_name}_{part}",
                "label": PART_LABELS[part],
                "value": text,
                "width": 4 if part == "year" else 2,
                "error": part in highlighted,
            }
            for part, text in zip(PARTS, texts, strict=True)
        ]

    # Error summary link ------------------------------------------------------

    @property
    def error_href(self) -> str:
        if self.kind == "date":
            highlighted = self.error_parts or set(PARTS)
            first = next(part for part in PARTS if part in highlighted)
            return f"#{self.auto_id}_{first}"
        return super().error_href

    # Radios and checkboxes with reveals ---------------------------------------

    @property
    def options(self) -> list[dict]:
        options = super().options
        form = self.form
        reveals = getattr(form, "conditional", {}).get(self.name, {})
        dividers = getattr(form, "dividers", {}).get(self.name, {})
        exclusive = getattr(form, "exclusive", {}).get(self.name)
        for option in options:
            option["conditional"] = [form[name] for name in reveals.get(option["value"], ())]
            option["conditional_id"] = f"conditional-{option['id']}"
            option["divider"] = dividers.get(option["value"], "")
            option["exclusive"] = option["value"] == exclusive
        return options


class SarFormMixin(GovukFormMixin):
    """``GovukFormMixin`` plus date inputs and conditional reveals."""

    bound_field_class = SarBoundField
    template_name = "sar/forms/form.html"
    conditional: dict[str, dict[str, list[str]]] = {}
    dividers: dict[str, dict[str, str]] = {}
    exclusive: dict[str, str] = {}

    def nested_field_names(self) -> set[str]:
        return {
            name
            for reveals in self.conditional.values()
            for names in reveals.values()
            for name in names
        }

    def error_summary_items(self) -> list[dict]:
        """As GovukFormMixin's, but in the order the page shows the fields: a
        revealed question's errors straight after its parent question's."""
        items = []
        visible = [field for field in self if not field.is_hidden]
        first_href = visible[0].error_href if visible else "#main-content"
        for error in self.non_field_errors():
            items.append({"href": first_href, "text": error})
        nested = self.nested_field_names()
        for field in self:
            if field.name in nested:
                continue
            href = first_href if field.is_hidden else field.error_href
            items.extend({"href": href, "text": error} for error in field.errors)
            for names in self.conditional.get(field.name, {}).values():
                for name in names:
                    sub = self[name]
                    items.extend({"href": sub.error_href, "text": e} for e in sub.errors)
        return items


class SarForm(SarFormMixin, forms.Form):
    """A form of the parent's pages, rendered as GOV.UK Frontend."""
