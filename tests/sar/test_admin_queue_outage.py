"""Staff taking a step while the task queue's broker is down: the step is
taken and saved, the parent's email waits in the outbox, and the member of
staff is told so in plain words, on the next page and on the dashboard."""

import pytest
from django.urls import reverse

from portal.outbox import relay
from portal.outbox.models import PendingTask
from sar.models import CaseStatus
from tests.broker import broker_unreachable
from tests.sar.admin_support import case_url, shows, staff_client_fixture, step_url  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(submit):
    return submit().cases.get()


# Transactional: the step's transaction commits inside the request, as it
# does in production, so the task is queued (or not) while the page is built.
@pytest.mark.django_db(transaction=True)
def test_a_step_taken_while_the_broker_is_down_is_saved_and_staff_are_told(
    staff_client, caseworker, case, mailoutbox
):
    client = staff_client(caseworker)
    mailoutbox.clear()

    with broker_unreachable():
        response = client.post(step_url(case, "request_evidence"), {"reason": "Photo ID."})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_EVIDENCE
    assert PendingTask.objects.filter(func="portal.notifications.tasks.send_notice_task").exists()
    assert mailoutbox == []
    assert shows(client.get(response["Location"]), str(relay.DEFERRED_MESSAGE))


@pytest.mark.django_db(transaction=True)
def test_no_message_when_the_queue_takes_the_task(staff_client, caseworker, case, mailoutbox):
    client = staff_client(caseworker)
    mailoutbox.clear()

    response = client.post(step_url(case, "request_evidence"), {"reason": "Photo ID."})

    assert not shows(client.get(response["Location"]), str(relay.DEFERRED_MESSAGE))
    assert not PendingTask.objects.exists()
    assert len(mailoutbox) == 1


def test_the_dashboard_says_how_much_is_waiting_while_the_queue_is_down(
    staff_client, caseworker, case
):
    client = staff_client(caseworker)
    assert (
        "The task queue cannot be reached"
        not in client.get(reverse("wagtailadmin_home")).content.decode()
    )

    PendingTask.objects.all().delete()  # what signing in queued, in this test's transaction
    PendingTask.objects.create(func="portal.notifications.tasks.send_notice_task", args=[1])
    PendingTask.objects.update(created_at=relay.timezone.now() - 2 * relay.GRACE)
    page = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "The task queue cannot be reached" in page
    assert "1 email or job is waiting to be sent." in page
    assert "nothing has been lost" in page
