"""Django forms rendered as GOV.UK Frontend components: the one way every form
on the public site is drawn.

Use it by inheriting ``GovukForm`` (or mixing ``GovukFormMixin`` into a form
class that already has a base, such as Django's ``SetPasswordForm``)::

    from portal.govuk_forms import GovukForm, GovukRadioSelect

    class ContactForm(GovukForm):
        page_heading_field = "method"   # this field's label/legend is the <h1>
        method = forms.ChoiceField(
            label="How should we contact you?",
            choices=[("email", "Email"), ("phone", "Phone")],
            widget=GovukRadioSelect(hints={"phone": "We will call during office hours."}),
        )
        email = forms.EmailField(
            label="Email address",
            help_text="We will only use this to reply.",          # the hint
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        )
        code = forms.CharField(
            widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        )

and in the page template (which should extend ``portal/form_page.html`` so the
title gets its "Error: " prefix)::

    {% include "portal/includes/error_summary.html" with form=form %}
    <form method="post" novalidate>{% csrf_token %}
      {{ form }}
      <button type="submit" class="govuk-button" data-module="govuk-button">Continue</button>
    </form>

``{{ form }}`` renders every field as a GOV.UK form group; ``{{ form.email.as_field_group }}``
renders one. What you get for each field:

- a label (``govuk-label``; ``govuk-label--l`` wrapped in an ``<h1>`` for the
  ``page_heading_field``), or a fieldset with a legend for radios and checkboxes;
- ``help_text`` as a ``govuk-hint``;
- each error as ``<p class="govuk-error-message"><span class="govuk-visually-hidden">
  Error:</span> ...</p>``, the group marked ``govuk-form-group--error`` and the
  input ``govuk-input--error`` (``govuk-textarea--error``, ``govuk-select--error``);
- ``aria-describedby`` naming the hint and the error, so screen readers read them;
- ``PasswordInput`` as GOV.UK's password input with its Show button;
- widget ``attrs`` (``autocomplete``, ``inputmode``, extra classes such as
  ``govuk-input--width-10``) kept as given.

The renderer is set per form class (``default_renderer``), not through
``FORM_RENDERER``, so the Wagtail admin's own forms are left alone.

Error messages should say what to do, in GOV.UK style ("Enter your email
address"), so put them in the field's ``error_messages``. One is given to
every field that has not its own: Django refuses text with a NUL character in
it (PostgreSQL cannot store one), and says so in GOV.UK words here.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

ERROR_CLASSES = {
    "input": "govuk-input--error",
    "password": "govuk-input--error",
    "textarea": "govuk-textarea--error",
    "select": "govuk-select--error",
    "file": "govuk-file-upload--error",
}
BASE_CLASSES = {
    "input": "govuk-input",
    "password": "govuk-input govuk-password-input__input govuk-js-password-input-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "file": "govuk-file-upload",
    "checkbox": "govuk-checkboxes__input",
}
# Widgets drawn as a fieldset with a legend rather than a label.
FIELDSET_KINDS = {"radios", "checkboxes"}
# Django's ProhibitNullCharactersValidator (on every CharField) says "Null
# characters are not allowed."; a person only ever pastes one in unseen.
NULL_CHARACTER_CODE = "null_characters_not_allowed"
NULL_CHARACTER_MESSAGE = _("Remove the hidden character from this answer")


class GovukRadioSelect(forms.RadioSelect):
    """Radios, optionally with a hint under some options: ``hints={value: text}``.
    ``inline=True`` puts short answers (Yes / No) side by side."""

    def __init__(self, attrs=None, choices=(), *, hints=None, inline=False):
        super().__init__(attrs, choices)
        self.hints = dict(hints or {})
        self.inline = inline


class GovukCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes, optionally with a hint under some options: ``hints={value: text}``."""

    def __init__(self, attrs=None, choices=(), *, hints=None):
        super().__init__(attrs, choices)
        self.hints = dict(hints or {})


def widget_kind(widget: forms.Widget) -> str:
    """Which GOV.UK component draws this widget."""
    if widget.is_hidden:
        return "hidden"
    # Before RadioSelect: Django's CheckboxSelectMultiple is a RadioSelect.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


class GovukBoundField(BoundField):
    """A bound field that knows the ids, classes and ARIA links GOV.UK needs."""

    @property
    def kind(self) -> str:
        return widget_kind(self.field.widget)

    @property
    def is_fieldset(self) -> bool:
        return self.kind in FIELDSET_KINDS

    @property
    def is_page_heading(self) -> bool:
        return getattr(self.form, "page_heading_field", None) == self.name

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint" if self.help_text else ""

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error" if self.errors else ""

    @property
    def described_by(self) -> str:
        return " ".join(part for part in (self.hint_id, self.error_id) if part)

    @property
    def error_href(self) -> str:
        """Where the error summary links: the input, or the first radio/checkbox."""
        if self.is_fieldset:
            return f"#{self.auto_id}_0"
        return f"#{self.auto_id}"

    @property
    def options(self) -> list[dict]:
        """Radios and checkboxes as plain dicts for the template."""
        hints = getattr(self.field.widget, "hints", {})
        options = []
        for index, subwidget in enumerate(self.subwidgets):
            data = subwidget.data
            value = "" if data["value"] is None else str(data["value"])
            option_id = data["attrs"].get("id") or f"{self.auto_id}_{index}"
            hint = hints.get(value, "")
            options.append(
                {
                    "id": option_id,
                    "name": data["name"],
                    "value": value,
                    "label": data["label"],
                    "checked": data["selected"],
                    "hint": hint,
                    "hint_id": f"{option_id}-item-hint" if hint else "",
                }
            )
        return options

    @property
    def inline(self) -> bool:
        return getattr(self.field.widget, "inline", False)

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        kind = widget_kind(widget)
        classes = [BASE_CLASSES.get(kind, "")]
        if self.errors and kind in ERROR_CLASSES:
            classes.append(ERROR_CLASSES[kind])
        # Classes given on the widget (govuk-input--width-10 ...) are kept.
        classes.append(widget.attrs.get("class", ""))
        classes.append(attrs.get("class", ""))
        attrs["class"] = " ".join(c for c in classes if c)
        if kind in ("password", "input") and widget.input_type in ("password", "email"):
            attrs.setdefault("spellcheck", "false")
            attrs.setdefault("autocapitalize", "none")
        if not self.is_fieldset:
            if self.described_by:
                attrs["aria-describedby"] = self.described_by
            else:
                attrs.pop("aria-describedby", None)
        return attrs


class GovukFormRenderer(DjangoTemplates):
    """Draws forms and fields with the templates in portal/templates/portal/forms/."""

    form_template_name = "portal/forms/form.html"
    field_template_name = "portal/forms/field.html"
    bound_field_class = GovukBoundField


class GovukFormMixin:
    """Mix into any Django form to render it as GOV.UK Frontend (see the module
    docstring). ``page_heading_field`` names the field whose label is the page's
    ``<h1>`` (a GOV.UK question page); leave it ``None`` when the page has its own
    heading."""

    # One renderer for every form: a renderer compiles its templates once,
    # in its own engine, so a class here (a new renderer for each form)
    # would parse the form and field templates again on every page.
    default_renderer = GovukFormRenderer()
    bound_field_class = GovukBoundField
    # GOV.UK validates on the server only: browser validation messages are
    # inconsistent and not accessible.
    use_required_attribute = False
    page_heading_field: str | None = None

    def full_clean(self):
        # Here rather than in __init__: some forms replace fields after it.
        for field in self.fields.values():
            field.error_messages.setdefault(NULL_CHARACTER_CODE, NULL_CHARACTER_MESSAGE)
        super().full_clean()

    def error_summary_items(self) -> list[dict]:
        """Errors in page order for the error summary: ``{"href", "text"}``."""
        items = []
        visible = [field for field in self if not field.is_hidden]
        first_href = visible[0].error_href if visible else "#main-content"
        for error in self.non_field_errors():
            items.append({"href": first_href, "text": error})
        for field in self:
            if field.is_hidden:
                # A tampered hidden field: say so without pointing at nothing.
                for error in field.errors:
                    items.append({"href": first_href, "text": error})
                continue
            for error in field.errors:
                items.append({"href": field.error_href, "text": error})
        return items


class GovukForm(GovukFormMixin, forms.Form):
    """A plain form rendered as GOV.UK Frontend."""


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    """A model form rendered as GOV.UK Frontend."""
