"""The staff case screens cost the same number of queries with 1 case as with
100 on the dashboard, and with 1 timeline entry as with 100 on a case page
(by different members of staff, so a query per author would show)."""

import pytest

from sar.models import TimelineEntry
from tests.query_counts import assert_same_queries, queries_for
from tests.sar.admin_support import (  # noqa: F401
    case_url,
    dashboard_url,
    staff_client_fixture,
)
from tests.sar.factories import ChildFactory
from tests.sar.steps import take_step

pytestmark = pytest.mark.django_db


def _new_case(submit, make_user, caseworker, n: int):
    """A request of a new parent about their child, assigned to ``caseworker``."""
    requester = make_user(email=f"requester{n}@example.org")
    access_request = submit(
        requester, about_requester=False, children=[ChildFactory(parent=requester)]
    )
    case = access_request.cases.get()
    take_step("start", case, caseworker)
    return case


def test_the_dashboard_costs_the_same_with_100_cases(
    staff_client, caseworker, submit, make_user, django_assert_num_queries
):
    client = staff_client(caseworker)
    _new_case(submit, make_user, caseworker, 0)
    url = dashboard_url()
    one = queries_for(client, url)

    for n in range(1, 100):
        _new_case(submit, make_user, caseworker, n)

    assert_same_queries(client, url, one, django_assert_num_queries)


def test_a_case_page_costs_the_same_with_100_timeline_entries(
    staff_client, caseworker, submit, make_user, django_assert_num_queries
):
    client = staff_client(caseworker)
    case = _new_case(submit, make_user, caseworker, 0)
    url = case_url(case)
    one = queries_for(client, url)

    authors = [make_user("Caseworker", email=f"author{n}@example.org") for n in range(10)]
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            request=case.request,
            case=case,
            actor=authors[n % len(authors)],
            kind="note",
            message=f"Note {n}",
            visible_to_parent=n % 2 == 0,
        )
        for n in range(99)
    )

    assert_same_queries(client, url, one, django_assert_num_queries)
    assert "Note 98" in client.get(url).content.decode()
