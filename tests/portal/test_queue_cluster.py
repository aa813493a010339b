"""A notice sent through a real django-q2 cluster: the ORM broker on SQLite by
default, Redis when REDIS_URL is set (CI runs both)."""

import uuid

import pytest
from django_q.tasks import async_task

from portal.notifications.models import SentNotification
from tests.cluster import running_cluster

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cluster(tmp_path):
    with running_cluster(tmp_path) as cluster:
        yield cluster


def test_notice_is_sent_by_a_real_cluster(cluster, django_user_model):
    parent = django_user_model.objects.create_user(
        email="queued.parent@example.org", password="a-long-password-1", first_name="Robin"
    )
    key = f"records_ready:{uuid.uuid4().hex}"

    task_id = async_task(
        "portal.notifications.tasks.send_notice_task",
        parent.pk,
        "records_ready",
        key,
        sync=False,
    )

    cluster.wait_for(task_id)

    assert SentNotification.objects.filter(key=key, user=parent).exists()
    files = list(cluster.mail_dir.iterdir())
    assert len(files) == 1
    body = files[0].read_text()
    assert "Your records are ready" in body
    assert "Robin" not in body
