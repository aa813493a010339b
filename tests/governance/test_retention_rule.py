"""The retention rule, one pure function: a case is due when every child on
it has reached 25 or left education (whichever came first for that child),
plus the grace period; a closed case with no children a fixed period after
closing; an open one with no children never."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sar.children import age_on
from sar.retention.rules import (
    CHILDREN,
    CLOSED_NO_CHILDREN,
    ChildDates,
    birthday,
    child_done_on,
    disposal_due_on,
)

D = datetime.date
GRACE = 90
CLOSED = 2190


def due(children=(), closed_on=None, grace=GRACE, closed_days=CLOSED):
    return disposal_due_on(
        children=children,
        closed_on=closed_on,
        grace_days=grace,
        closed_no_children_days=closed_days,
    )


@pytest.mark.parametrize(
    ("children", "closed_on", "expected"),
    [
        # One child still in education: their 25th birthday, plus grace.
        ([ChildDates(D(2010, 5, 3))], None, (D(2035, 5, 3) + datetime.timedelta(GRACE), CHILDREN)),
        # Left education at 19: that day, plus grace.
        (
            [ChildDates(D(2010, 5, 3), D(2029, 7, 20))],
            None,
            (D(2029, 10, 18), CHILDREN),
        ),
        # Left after turning 25 (a late course): 25 still bounds it.
        (
            [ChildDates(D(2000, 1, 1), D(2026, 6, 30))],
            None,
            (D(2025, 1, 1) + datetime.timedelta(GRACE), CHILDREN),
        ),
        # Two children: the youngest reaching 25 decides, when the older has left.
        (
            [ChildDates(D(2008, 1, 1), D(2026, 7, 1)), ChildDates(D(2012, 3, 1))],
            None,
            (D(2037, 3, 1) + datetime.timedelta(GRACE), CHILDREN),
        ),
        # The youngest left early but an older one is still in education: the
        # records stay until the older one is done too.
        (
            [ChildDates(D(2004, 1, 1)), ChildDates(D(2010, 1, 1), D(2026, 7, 1))],
            None,
            (D(2029, 1, 1) + datetime.timedelta(GRACE), CHILDREN),
        ),
        # Both left: the later leaving date.
        (
            [ChildDates(D(2004, 1, 1), D(2022, 7, 1)), ChildDates(D(2006, 1, 1), D(2024, 7, 1))],
            D(2024, 9, 1),
            (D(2024, 9, 29), CHILDREN),
        ),
        # Born on 29 February: 25 on 1 March in a year without one.
        ([ChildDates(D(2008, 2, 29))], None, (D(2033, 3, 1) + datetime.timedelta(GRACE), CHILDREN)),
        # No children: closed, then the closed period.
        ([], D(2020, 3, 31), (D(2020, 3, 31) + datetime.timedelta(CLOSED), CLOSED_NO_CHILDREN)),
        # No children and open: never due.
        ([], None, None),
    ],
)
def test_the_rule(children, closed_on, expected):
    result = due(children, closed_on)
    assert (None if result is None else (result.due_on, result.rule)) == expected


def test_closing_a_case_with_children_does_not_change_its_date():
    child = [ChildDates(D(2010, 5, 3))]
    assert due(child, None) == due(child, D(2020, 1, 1))


def test_negative_periods_are_refused():
    with pytest.raises(ValueError):
        due([ChildDates(D(2010, 1, 1))], grace=-1)


def test_birthday_is_the_day_the_age_is_reached():
    for born in (D(2000, 2, 29), D(2001, 3, 1), D(1999, 12, 31)):
        turns = birthday(born, 25)
        assert age_on(born, turns) == 25
        assert age_on(born, turns - datetime.timedelta(days=1)) == 24


dates = st.dates(min_value=D(1980, 1, 1), max_value=D(2030, 12, 31))
children_st = st.lists(
    st.builds(ChildDates, date_of_birth=dates, left_education_on=st.none() | dates),
    min_size=1,
    max_size=5,
)
periods = st.integers(min_value=0, max_value=4000)


@given(children=children_st, grace=periods)
def test_never_due_before_every_child_is_done_and_the_grace_has_passed(children, grace):
    result = due(children, grace=grace)

    for child in children:
        assert result.due_on >= child_done_on(child) + datetime.timedelta(grace)
    # The youngest child reaching 25 bounds it, whatever anyone's schooling.
    youngest_25 = max(birthday(c.date_of_birth, 25) for c in children)
    assert result.due_on <= youngest_25 + datetime.timedelta(grace)
    assert result.due_on == max(child_done_on(c) for c in children) + datetime.timedelta(grace)


@given(children=children_st, extra=st.builds(ChildDates, dates, st.none() | dates), grace=periods)
def test_adding_a_child_never_brings_disposal_forward(children, extra, grace):
    assert due([*children, extra], grace=grace).due_on >= due(children, grace=grace).due_on


@given(children=children_st, grace=periods, more=st.integers(min_value=0, max_value=1000))
def test_a_longer_grace_period_never_brings_disposal_forward(children, grace, more):
    assert due(children, grace=grace + more).due_on >= due(children, grace=grace).due_on


@given(children=children_st, left=dates)
def test_recording_that_a_child_left_education_never_delays_disposal(children, left):
    first, *rest = children
    updated = [ChildDates(first.date_of_birth, left), *rest]
    without = [ChildDates(first.date_of_birth, None), *rest]
    assert due(updated).due_on <= due(without).due_on
