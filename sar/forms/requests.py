"""Forms of the parent's pages about a request already made, and their consents."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sar.forms.govuk import SarForm
from sar.workflow import messages


class AnswerForm(SarForm):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": messages.ANSWER_REQUIRED,
            "max_length": _("Your answer must be 5,000 characters or fewer"),
        },
    )


class WithdrawRequestForm(SarForm):
    reason = forms.CharField(
        label=_("Why are you withdrawing it? (optional)"),
        help_text=_("This helps us improve. You do not have to tell us."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("This must be 2,000 characters or fewer")},
    )


class ConfirmForm(SarForm):
    """A page whose only input is its button (withdrawing a consent); it still
    has a form so a refusal from the domain shows in the error summary."""
