"""Forms for accounts and second factors, drawn as GOV.UK Frontend
(``portal.govuk_forms``). They parse and validate input only; the rules live
in ``registration``, ``authentication``, ``factors`` and ``recovery``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from portal.accounts.factors import FactorKind
from portal.accounts.models import RecoveryRequest, User
from portal.accounts.registration import queue_email
from portal.govuk_forms import GovukForm, GovukFormMixin, GovukRadioSelect

PASSWORDS_DIFFER = _("The passwords do not match")


def email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=kwargs.pop("label", _("Email address")),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


def password_field(*, label, autocomplete: str, required_message, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        error_messages={"required": required_message},
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def code_field(*, label=None, help_text="", autocomplete="one-time-code") -> forms.CharField:
    return forms.CharField(
        label=label or _("Code"),
        help_text=help_text,
        max_length=40,
        error_messages={"required": _("Enter the code")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": autocomplete,
                "inputmode": "numeric" if autocomplete == "one-time-code" else "text",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )


class SignUpForm(GovukForm):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = email_field(help_text=_("We will send you a link to confirm it."))
    password = password_field(
        label=_("Create a password"),
        autocomplete="new-password",
        required_message=_("Enter a password"),
        help_text=_(
            "Use at least 10 characters. Do not use a common password or one that is all numbers."
        ),
    )
    password_confirm = password_field(
        label=_("Confirm password"),
        autocomplete="new-password",
        required_message=_("Confirm your password"),
    )

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        confirm = cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", PASSWORDS_DIFFER)
        if password:
            # An unsaved user: the checks are the same whether or not the
            # address already has an account.
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class SignInForm(GovukForm):
    email = email_field()
    password = password_field(
        label=_("Password"),
        autocomplete="current-password",
        required_message=_("Enter your password"),
    )


class ChooseFactorForm(GovukForm):
    page_heading_field = "method"
    method = forms.ChoiceField(
        label=_("How do you want to get security codes?"),
        error_messages={"required": _("Select how you want to get security codes")},
    )

    CHOICES = {
        FactorKind.APP: (
            _("Authenticator app"),
            _(
                "Use an app on your phone or tablet, such as Google Authenticator or "
                "Microsoft Authenticator."
            ),
        ),
        FactorKind.EMAIL: (
            _("Email"),
            _(
                "We will email you a code each time you sign in. Use this if you do not "
                "have a smartphone."
            ),
        ),
    }

    def __init__(self, *args, kinds: set[FactorKind], **kwargs):
        super().__init__(*args, **kwargs)
        offered = [kind for kind in self.CHOICES if kind in kinds]
        self.fields["method"].choices = [(k.value, self.CHOICES[k][0]) for k in offered]
        self.fields["method"].widget = GovukRadioSelect(
            choices=self.fields["method"].choices,
            hints={k.value: self.CHOICES[k][1] for k in offered},
        )


class CodeForm(GovukForm):
    code = code_field()

    def __init__(self, *args, label=None, help_text="", autocomplete="one-time-code", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"] = code_field(
            label=label or _("Code"), help_text=help_text, autocomplete=autocomplete
        )


class RecoveryRequestForm(GovukForm):
    page_heading_field = "explanation"
    explanation = forms.CharField(
        label=_("Tell us what happened"),
        help_text=_(
            "For example, your phone was lost or replaced. Do not include any other "
            "information about your child or your case."
        ),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RecoveryCompleteForm(forms.Form):
    """Staff form in the Wagtail admin (rendered with Wagtail's own styles)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("complete", _("I have confirmed who they are: remove their second factors")),
            ("refuse", _("I could not confirm who they are: close the request")),
        ],
        widget=forms.RadioSelect,
    )
    identity_check = forms.ChoiceField(
        label=_("How did you confirm who they are?"),
        choices=[("", "---------"), *RecoveryRequest.IdentityCheck.choices],
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"),
        help_text=_("What you checked. Do not copy identity document numbers here."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "complete" and not cleaned.get("identity_check"):
            self.add_error("identity_check", _("Select how you confirmed who they are"))
        return cleaned


class PasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"] = email_field()

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # Through the queue, so the page takes as long for an unknown address.
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        queue_email(subject=subject, body=body, to=to_email)


class SetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"] = password_field(
            label=_("New password"),
            autocomplete="new-password",
            required_message=_("Enter a new password"),
            help_text=SignUpForm.base_fields["password"].help_text,
        )
        self.fields["new_password2"] = password_field(
            label=_("Confirm new password"),
            autocomplete="new-password",
            required_message=_("Confirm your new password"),
        )
        self.error_messages = {**self.error_messages, "password_mismatch": PASSWORDS_DIFFER}


class PasswordChangeForm(SetPasswordForm, auth_forms.PasswordChangeForm):
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"] = password_field(
            label=_("Current password"),
            autocomplete="current-password",
            required_message=_("Enter your current password"),
        )
        self.order_fields(self.field_order)
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": _("Your current password is not correct"),
        }
