"""Forms of the parent's pages: the request journey (``journey``), pages about
a request already made and consents (``requests``), and the two GOV.UK
patterns they need beyond ``portal.govuk_forms`` (``govuk``)."""

from sar.forms.govuk import GovukDateField, SarForm
from sar.forms.journey import (
    AdjustmentsForm,
    ChildForm,
    ChildrenChoiceForm,
    CodeForm,
    HowForm,
    RemoveChildForm,
    WhatForm,
    WhichRecordsForm,
    WhoForm,
)
from sar.forms.requests import AnswerForm, ConfirmForm, WithdrawRequestForm

__all__ = [
    "AdjustmentsForm",
    "AnswerForm",
    "ChildForm",
    "ChildrenChoiceForm",
    "CodeForm",
    "ConfirmForm",
    "GovukDateField",
    "HowForm",
    "RemoveChildForm",
    "SarForm",
    "WhatForm",
    "WhichRecordsForm",
    "WhoForm",
    "WithdrawRequestForm",
]
