"""Children and young people: adding a child to a parent's account, and the
age rules for releasing a child's records to a parent.

The ICO's right-of-access guidance (children's data): from about 12 a child
may be competent to exercise their own rights, so before a parent receives a
child's records the caseworker records the child's competence and views. From
16, rights under the SEND framework pass to the young person, so a parent's
request for a young person's records needs the young person's consent. Ages
are taken on the date the request was received.
"""

import datetime

from django.db import transaction

from portal.audit.events import record
from sar import deadlines
from sar.exceptions import RuleViolation
from sar.models import Child, ConsentStatus, Relationship, SubjectCase, SubjectKind

COMPETENCE_AGE = 12
CONSENT_AGE = 16

NAME_REQUIRED = "Enter the child's full name."
BIRTH_DATE_IN_FUTURE = "The child's date of birth must be in the past."
RELATIONSHIP_INVALID = "Select your relationship to the child."
RELATIONSHIP_OTHER_REQUIRED = "Enter your relationship to the child."


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Age in whole years on ``day``. Someone born on 29 February becomes a year
    older on 1 March in a non-leap year (the usual reading in England and
    Wales: 28 February comes before the anniversary of the birth date)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def subject_age(case: SubjectCase) -> int | None:
    """The child's age on the day the request was received; None for the
    requester's own case (no age rule applies to one's own records)."""
    if case.kind != SubjectKind.CHILD:
        return None
    received = deadlines.london_date(case.request.received_at)
    return age_on(case.child.date_of_birth, received)


def needs_competence_record(case: SubjectCase) -> bool:
    """A child of 12 to 15: competence and views are recorded before release."""
    age = subject_age(case)
    return age is not None and COMPETENCE_AGE <= age < CONSENT_AGE


def needs_young_person_consent(case: SubjectCase) -> bool:
    """A young person of 16 or over: their consent is needed before release."""
    age = subject_age(case)
    return age is not None and age >= CONSENT_AGE


def initial_consent_status(*, child: Child | None, received_on: datetime.date) -> str:
    """What a new case starts with: consent needed for a young person of 16+."""
    if child is not None and age_on(child.date_of_birth, received_on) >= CONSENT_AGE:
        return ConsentStatus.NEEDED
    return ConsentStatus.NOT_NEEDED


def child_create(
    *,
    parent,
    full_name: str,
    date_of_birth: datetime.date,
    relationship: str,
    has_parental_responsibility: bool,
    school_or_setting: str = "",
    relationship_other: str = "",
    court_order: str = "",
) -> Child:
    """Add a child to ``parent``'s account, as the parent describes them."""
    full_name = full_name.strip()
    if not full_name:
        raise RuleViolation(NAME_REQUIRED)
    if date_of_birth >= deadlines.today():
        raise RuleViolation(BIRTH_DATE_IN_FUTURE)
    if relationship not in Relationship.values:
        raise RuleViolation(RELATIONSHIP_INVALID)
    relationship_other = relationship_other.strip()
    if relationship == Relationship.OTHER and not relationship_other:
        raise RuleViolation(RELATIONSHIP_OTHER_REQUIRED)
    if relationship != Relationship.OTHER:
        relationship_other = ""
    with transaction.atomic():
        child = Child.objects.create(
            parent=parent,
            full_name=full_name,
            date_of_birth=date_of_birth,
            school_or_setting=school_or_setting.strip(),
            relationship=relationship,
            relationship_other=relationship_other,
            has_parental_responsibility=has_parental_responsibility,
            court_order=court_order.strip(),
        )
        record(action="sar.child.create", actor=parent, obj=child)
    return child
