"""Pages whose number of queries does not grow with the data they show.

``queries_for(client, url)`` counts what one page costs; a test counts it
with one record, adds 99 more and asserts the page costs exactly the same
with ``django_assert_num_queries``: a query per row (N+1) fails it.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(client, url: str) -> int:
    # Once first: what a first visit alone pays (a session's first write,
    # lazily created settings rows) is not the page's cost.
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def assert_same_queries(client, url: str, expected: int, django_assert_num_queries) -> None:
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
