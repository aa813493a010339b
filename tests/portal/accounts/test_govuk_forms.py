"""The shared GOV.UK form rendering (portal.govuk_forms)."""

from django import forms
from django.template import Context, Template

from portal.accounts.forms import CodeForm
from portal.govuk_forms import NULL_CHARACTER_MESSAGE, GovukForm, GovukRadioSelect


class ExampleForm(GovukForm):
    page_heading_field = "contact"
    contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("email", "Email"), ("phone", "Phone")],
        widget=GovukRadioSelect(hints={"phone": "During office hours"}),
        error_messages={"required": "Select how we should contact you"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We only use this to reply.",
        error_messages={"required": "Enter your email address"},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "govuk-input--width-20"}),
    )
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


def test_unbound_form_renders_labels_hints_and_radios():
    html = str(ExampleForm())

    assert '<h1 class="govuk-fieldset__heading">How should we contact you?</h1>' in html
    assert '<div id="id_contact_1-item-hint" class="govuk-hint govuk-radios__hint">' in html
    assert '<label class="govuk-label" for="id_email">Email address</label>' in html
    assert 'aria-describedby="id_email-hint"' in html
    assert 'class="govuk-input govuk-input--width-20"' in html
    assert 'autocomplete="email"' in html
    assert "required" not in html
    assert 'data-module="govuk-password-input"' in html
    assert "govuk-error" not in html


def test_errors_are_shown_on_the_fields_and_in_the_summary():
    form = ExampleForm(data={"email": ""})
    html = str(form)
    summary = Template('{% include "portal/includes/error_summary.html" with form=form %}').render(
        Context({"form": form})
    )

    assert "govuk-form-group govuk-form-group--error" in html
    assert (
        '<p id="id_email-error" class="govuk-error-message"><span class="govuk-visually-hidden">'
        "Error:</span> Enter your email address</p>"
    ) in html
    assert 'aria-describedby="id_email-hint id_email-error"' in html
    assert "govuk-input govuk-input--error govuk-input--width-20" in html
    assert 'data-module="govuk-error-summary"' in summary
    assert '<a href="#id_contact_0">Select how we should contact you</a>' in summary
    assert '<a href="#id_email">Enter your email address</a>' in summary


def test_form_templates_are_compiled_once_not_on_every_page(monkeypatch):
    from django.template.base import Parser

    str(ExampleForm())  # the first page compiles them
    parsed = []
    original = Parser.parse

    def counting(self, *args, **kwargs):
        parsed.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Parser, "parse", counting)
    html = str(ExampleForm()) + str(ExampleForm(data={}))

    assert "How should we contact you?" in html
    assert parsed == []


class NamesForm(GovukForm):
    full_name = forms.CharField(label="Full name")
    nickname = forms.CharField(
        label="Nickname", error_messages={"null_characters_not_allowed": "No NULs, please"}
    )


def test_a_nul_character_is_refused_in_govuk_words():
    form = NamesForm(data={"full_name": "Sam\x00Example", "nickname": "\x00"})

    assert form.errors["full_name"] == [str(NULL_CHARACTER_MESSAGE)]
    # A field's own message is kept.
    assert form.errors["nickname"] == ["No NULs, please"]


def test_a_field_added_after_the_form_is_made_gets_the_message_too():
    # CodeForm replaces its field in __init__.
    form = CodeForm(data={"code": "12\x003456"}, label="Security code")

    assert form.errors["code"] == [str(NULL_CHARACTER_MESSAGE)]
