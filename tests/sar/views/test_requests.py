"""A person's requests through the pages: the list and detail in the parent's
words, the timeline, answering our question, withdrawing, and isolation
(someone else's reference is a 404 on every page)."""

import re

import pytest

from sar import deadlines
from sar.models import CaseStatus, TimelineEntry
from sar.workflow import case_place_hold, case_request_clarification, case_start, messages
from sar.workflow.table import PARENT_STATUS_LABELS, WORKING_LABEL
from tests.sar.factories import ChildFactory
from tests.sar.steps import EXEMPTION, put_case_in
from tests.sar.views.journey import url

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def mine(submit, parent):
    """A request about the parent and one child."""
    return submit(children=[ChildFactory(parent=parent, full_name="Casey Child")])


@pytest.fixture
def theirs(submit, other_parent):
    return submit(other_parent, topics="", children=[])


def test_the_list_shows_reference_date_status_in_words_and_reply_by(parent_client, mine, theirs):
    page = text(parent_client.get(url("requests")))

    assert mine.reference in page
    assert theirs.reference not in page
    received = deadlines.london_date(mine.received_at)
    assert f"{received.day} {received:%B %Y}" in page
    assert f"{mine.due_on.day} {mine.due_on:%B %Y}" in page
    assert PARENT_STATUS_LABELS[CaseStatus.SUBMITTED] in page
    assert "Casey Child" in page
    # Never the internal status names.
    assert "submitted" not in page.lower().replace("submitted_for", "")


def test_a_safeguarding_hold_reads_like_any_other_work(
    parent_client, mine, caseworker, safeguarding_lead
):
    case = mine.cases.get(kind="requester")
    case_start(case=case, actor=caseworker)
    case_place_hold(
        case=case, actor=safeguarding_lead, reason="A safeguarding concern.", exemption=EXEMPTION
    )

    for name in ("requests", "request_detail"):
        args = (mine.reference,) if name == "request_detail" else ()
        page = text(parent_client.get(url(name, *args)))
        assert WORKING_LABEL in page
        assert "on hold" not in page.lower()
        assert "safeguarding" not in page.lower()


def test_no_requests_yet(parent_client):
    page = text(parent_client.get(url("requests")))

    assert "You have not asked for any records yet." in page
    assert f'href="{url("start")}"' in page


def test_detail_shows_only_the_entries_the_parent_may_see(parent_client, mine, caseworker):
    TimelineEntry.objects.create(
        request=mine, kind="note", message="A staff-only note.", visible_to_parent=False
    )
    case_start(case=mine.cases.first(), actor=caseworker)

    page = text(parent_client.get(url("request_detail", mine.reference)))

    assert f"Your reference is {mine.reference}" in page
    assert "We have started work on your request." in page
    assert "A staff-only note." not in page
    assert "Casey Child" in page


def test_answering_our_question_restarts_the_work_and_shows_in_the_timeline(
    parent_client, mine, caseworker
):
    case = mine.cases.get(kind="requester")
    case_request_clarification(case=case, actor=caseworker, reason="Which school year?")

    detail = text(parent_client.get(url("request_detail", mine.reference)))
    assert "We need more information from you" in detail
    assert "Which school year?" in detail
    assert f'href="{url("answer", mine.reference)}"' in detail
    assert "Paused until you answer our question" in detail

    form = text(parent_client.get(url("answer", mine.reference)))
    assert "Which school year?" in form

    empty = parent_client.post(url("answer", mine.reference), {"answer": "  "})
    assert empty.status_code == 200
    assert messages.ANSWER_REQUIRED in text(empty)
    assert 'href="#id_answer"' in text(empty)

    response = parent_client.post(url("answer", mine.reference), {"answer": "Year 9, 2023."})
    assert response["Location"] == url("request_detail", mine.reference)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    after = text(parent_client.get(response["Location"]))
    assert "You answered our question: Year 9, 2023." in after
    assert "We need more information from you" not in after


def test_answering_when_no_question_is_open_is_a_message_not_a_500(parent_client, mine):
    assert parent_client.get(url("answer", mine.reference))["Location"] == url(
        "request_detail", mine.reference
    )

    response = parent_client.post(url("answer", mine.reference), {"answer": "Hello"})

    assert response.status_code == 200
    assert messages.NO_CLARIFICATION_OUTSTANDING in text(response)
    assert "govuk-error-summary" in text(response)


def test_withdrawing_a_request(parent_client, mine):
    page = text(parent_client.get(url("withdraw", mine.reference)))
    assert "Are you sure you want to withdraw this request?" in page
    assert "govuk-warning-text" in page
    assert f'href="{url("withdraw", mine.reference)}"' in text(
        parent_client.get(url("request_detail", mine.reference))
    )

    response = parent_client.post(url("withdraw", mine.reference), {"reason": "Sorted it out."})

    assert response["Location"] == url("request_detail", mine.reference)
    assert set(mine.cases.values_list("status", flat=True)) == {CaseStatus.WITHDRAWN}
    detail = text(parent_client.get(response["Location"]))
    assert "You withdrew your request. You told us: Sorted it out." in detail
    assert "You have withdrawn your request." in detail
    assert PARENT_STATUS_LABELS[CaseStatus.WITHDRAWN] in detail
    # No reply date for a request nobody is waiting on.
    assert "You withdrew this request" in detail
    assert f"{mine.due_on.day} {mine.due_on:%B %Y}</dd>" not in detail.replace(" </dd>", "</dd>")
    assert f'href="{url("withdraw", mine.reference)}"' not in detail


def test_withdrawing_a_finished_request_is_a_message_not_a_500(parent_client, mine):
    for case in mine.cases.all():
        put_case_in(case, CaseStatus.CLOSED)

    response = parent_client.post(url("withdraw", mine.reference), {})

    assert response.status_code == 200
    assert messages.REQUEST_FINISHED in text(response)
    assert "<title>Error: " in response.content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("request_detail", "get"),
        ("confirmation", "get"),
        ("answer", "get"),
        ("answer", "post"),
        ("withdraw", "get"),
        ("withdraw", "post"),
    ],
)
def test_another_parents_request_is_not_found(parent_client, theirs, name, method):
    response = getattr(parent_client, method)(url(name, theirs.reference), {"answer": "x"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.cases.filter(status=CaseStatus.WITHDRAWN).exists()


def test_a_reference_that_does_not_exist_is_not_found(parent_client):
    assert parent_client.get(url("request_detail", "SAR-2020-99999")).status_code == 404
