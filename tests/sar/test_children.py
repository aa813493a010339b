"""Adding a child to a parent's account, and ages on a given day."""

import datetime

import pytest

from portal.audit.models import AuditEvent
from sar import children
from sar.exceptions import RuleViolation
from sar.models import Relationship

D = datetime.date.fromisoformat


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        ("2015-09-03", "2027-09-03", 12),  # birthday on the day
        ("2015-09-04", "2027-09-03", 11),
        ("2012-02-29", "2028-02-28", 15),  # leap-day birthday in a leap year
        ("2012-02-29", "2028-02-29", 16),
        ("2012-02-29", "2027-02-28", 14),  # ... and in a non-leap year
        ("2012-02-29", "2027-03-01", 15),
    ],
)
def test_age_on(born, on, age):
    assert children.age_on(D(born), D(on)) == age


def test_a_parent_adds_a_child(parent):
    child = children.child_create(
        parent=parent,
        full_name="  Sam Jones ",
        date_of_birth=D("2015-04-01"),
        relationship=Relationship.GUARDIAN,
        relationship_other="ignored",
        has_parental_responsibility=True,
        court_order="Special guardianship order, 2020",
    )
    assert (child.parent, child.full_name, child.relationship_other) == (parent, "Sam Jones", "")
    assert AuditEvent.objects.filter(action="sar.child.create", object_id=str(child.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": " "}, children.NAME_REQUIRED),
        ({"date_of_birth": D("2999-01-01")}, children.BIRTH_DATE_IN_FUTURE),
        ({"relationship": "aunt"}, children.RELATIONSHIP_INVALID),
        ({"relationship": Relationship.OTHER}, children.RELATIONSHIP_OTHER_REQUIRED),
    ],
)
def test_invalid_children_are_refused(parent, fields, message):
    arguments = {
        "parent": parent,
        "full_name": "Sam Jones",
        "date_of_birth": D("2015-04-01"),
        "relationship": Relationship.MOTHER,
        "has_parental_responsibility": True,
        **fields,
    }
    with pytest.raises(RuleViolation) as caught:
        children.child_create(**arguments)
    assert caught.value.message == message
