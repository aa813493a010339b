"""The parent's pages cost the same number of queries with 1 request as with
100 (and one request's page the same with 1 timeline entry as with 100)."""

import pytest
from django.urls import reverse

from sar.models import TimelineEntry
from tests.query_counts import assert_same_queries, queries_for
from tests.sar.factories import ChildFactory

pytestmark = pytest.mark.django_db


def _submit_about_parent_and_child(submit, parent):
    return submit(parent, children=[ChildFactory(parent=parent)])


def test_my_requests_costs_the_same_with_100_requests(
    parent_client, parent, submit, django_assert_num_queries
):
    url = reverse("sar:requests")
    _submit_about_parent_and_child(submit, parent)
    one = queries_for(parent_client, url)

    for _ in range(99):
        _submit_about_parent_and_child(submit, parent)

    assert_same_queries(parent_client, url, one, django_assert_num_queries)
    assert parent_client.get(url).content.decode().count("SAR-") >= 100


def test_a_request_costs_the_same_with_100_timeline_entries(
    parent_client, parent, submit, django_assert_num_queries
):
    access_request = _submit_about_parent_and_child(submit, parent)
    url = reverse("sar:request_detail", args=[access_request.reference])
    one = queries_for(parent_client, url)

    cases = list(access_request.cases.all())
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            request=access_request,
            case=cases[i % len(cases)],
            actor=parent,
            kind="request_clarification",
            message=f"Question {i}",
            visible_to_parent=True,
        )
        for i in range(99)
    )

    assert_same_queries(parent_client, url, one, django_assert_num_queries)
    assert "Question 98" in parent_client.get(url).content.decode()
