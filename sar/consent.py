"""Consent to disclose: staff record it (the confidentiality code: consent
"will always be recorded on the SENDIASS database"); the parent it is about
can see it and withdraw it. Both are audit events."""

import datetime

from django.db import transaction
from django.utils import timezone

from portal.audit.events import record
from sar import deadlines, roles
from sar.exceptions import InvalidTransition, NotPermitted, RuleViolation
from sar.models import Child, ConsentMethod, ConsentToDisclose

CONSENT_DETAIL_REQUIRED = (
    "Enter who gave consent, what information may be disclosed, to whom and why."
)
CONSENT_METHOD_INVALID = "Select how consent was given."
CONSENT_GIVEN_IN_FUTURE = "The date consent was given cannot be in the future."
CONSENT_EXPIRES_BEFORE_GIVEN = "The expiry date must be the same as or after the date given."
CONSENT_CHILD_NOT_PARENTS = "The child must be one of this parent's children."
CONSENT_NOT_YOURS = "You can only withdraw your own consent."
CONSENT_RECORD_NOT_PERMITTED = "Only a caseworker can record consent."
CONSENT_ALREADY_WITHDRAWN = "This consent has already been withdrawn."


def consent_record(
    *,
    recorded_by,
    parent,
    consent_given_by: str,
    what_information: str,
    recipient: str,
    purpose: str,
    given_on: datetime.date,
    method: str,
    child: Child | None = None,
    expires_on: datetime.date | None = None,
) -> ConsentToDisclose:
    """A caseworker records consent to disclose information about ``parent``
    (or their ``child``) to ``recipient`` for ``purpose``."""
    if not roles.has_role(recorded_by, roles.CASEWORKER):
        raise NotPermitted(CONSENT_RECORD_NOT_PERMITTED)
    fields = {
        "consent_given_by": consent_given_by.strip(),
        "what_information": what_information.strip(),
        "recipient": recipient.strip(),
        "purpose": purpose.strip(),
    }
    if not all(fields.values()):
        raise RuleViolation(CONSENT_DETAIL_REQUIRED)
    if method not in ConsentMethod.values:
        raise RuleViolation(CONSENT_METHOD_INVALID)
    if given_on > deadlines.today():
        raise RuleViolation(CONSENT_GIVEN_IN_FUTURE)
    if expires_on is not None and expires_on < given_on:
        raise RuleViolation(CONSENT_EXPIRES_BEFORE_GIVEN)
    if child is not None and child.parent_id != parent.pk:
        raise RuleViolation(CONSENT_CHILD_NOT_PARENTS)
    with transaction.atomic():
        consent = ConsentToDisclose.objects.create(
            parent=parent,
            child=child,
            given_on=given_on,
            method=method,
            recorded_by=recorded_by,
            expires_on=expires_on,
            **fields,
        )
        record(
            action="sar.consent.record",
            actor=recorded_by,
            obj=consent,
            data={"parent": parent.pk, "child": child.pk if child else None, "method": method},
        )
    return consent


def consent_withdraw(*, parent, consent: ConsentToDisclose) -> ConsentToDisclose:
    """The parent withdraws a consent about them or their child: from now on it
    no longer allows disclosure (what was disclosed before stays disclosed)."""
    with transaction.atomic():
        consent = ConsentToDisclose.objects.select_for_update().get(pk=consent.pk)
        if parent is None or not parent.is_authenticated or consent.parent_id != parent.pk:
            raise NotPermitted(CONSENT_NOT_YOURS)
        if consent.withdrawn_at is not None:
            raise InvalidTransition(CONSENT_ALREADY_WITHDRAWN)
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = parent
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        record(action="sar.consent.withdraw", actor=parent, obj=consent)
    return consent
