import logging

import pytest
from django.conf import settings
from django.core import mail

from portal.audit.models import AuditEvent
from portal.notifications.email import UnknownNotice, enqueue_notice, send_notice, sign_in_url
from portal.notifications.models import SentNotification
from portal.notifications.tasks import send_notice_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent(django_user_model):
    return django_user_model.objects.create_user(
        email="sam.parent@example.org",
        password="a-long-password-1",
        first_name="Samira",
        last_name="Okonkwo",
    )


def _assert_no_personal_data(message, user):
    body = message.body + message.subject + "".join(str(a[0]) for a in message.alternatives)
    for personal in (user.first_name, user.last_name, user.email):
        assert personal not in body


def test_enqueued_notice_sends_one_email_with_the_sign_in_link_and_no_name(
    parent, django_capture_on_commit_callbacks
):
    # Q_SYNC=true (pytest-env): async_task runs the task in this process.
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_notice(user=parent, template="records_ready")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [parent.email]
    assert "Your records are ready" in message.body
    assert sign_in_url() in message.body
    assert sign_in_url().startswith(settings.BASE_URL)
    _assert_no_personal_data(message, parent)


def test_nothing_is_enqueued_until_the_transaction_commits(parent):
    # Inside the test's transaction, with no commit: nothing sent.
    enqueue_notice(user=parent, template="records_ready")

    assert mail.outbox == []


def test_the_same_key_sends_one_email(parent):
    send_notice_task(parent.pk, "records_ready", "records_ready:sar-1")
    send_notice_task(parent.pk, "records_ready", "records_ready:sar-1")

    assert len(mail.outbox) == 1
    assert SentNotification.objects.filter(key="records_ready:sar-1").count() == 1


def test_different_keys_send_separately(parent):
    send_notice(user_id=parent.pk, template="records_ready", key="records_ready:sar-1")
    send_notice(user_id=parent.pk, template="records_ready", key="records_ready:sar-2")

    assert len(mail.outbox) == 2


def test_a_failed_send_releases_the_key_for_the_retry(parent, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("SMTP server unavailable")

    monkeypatch.setattr("portal.notifications.email.send_mail", refuse)
    with pytest.raises(ConnectionError):
        send_notice(user_id=parent.pk, template="records_ready", key="k-1")
    assert not SentNotification.objects.filter(key="k-1").exists()

    monkeypatch.undo()
    send_notice(user_id=parent.pk, template="records_ready", key="k-1")
    assert len(mail.outbox) == 1


def test_sending_is_audited_without_the_email_address(parent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_notice(user=parent, template="security_notice")

    event = AuditEvent.objects.get(action="notification.sent")
    assert event.data == {"template": "security_notice"}
    assert event.object_type == "accounts.user"
    assert event.object_id == str(parent.pk)
    assert event.actor is None
    assert parent.email not in str(event.data)


def test_security_notice_tells_the_person_what_to_do(parent):
    send_notice(user_id=parent.pk, template="security_notice")

    message = mail.outbox[0]
    assert "A change to how you sign in was made" in message.body
    assert "If it was not you, contact us" in message.body
    _assert_no_personal_data(message, parent)


def test_logs_never_hold_the_email_address(parent, caplog):
    with caplog.at_level(logging.DEBUG):
        send_notice(user_id=parent.pk, template="records_ready", key="k-log")
        send_notice(user_id=parent.pk, template="records_ready", key="k-log")

    assert caplog.records
    assert parent.email not in caplog.text


def test_inactive_accounts_are_not_emailed(parent):
    parent.is_active = False
    parent.save()

    send_notice(user_id=parent.pk, template="records_ready")

    assert mail.outbox == []


def test_unknown_template_is_refused_before_queueing(parent):
    with pytest.raises(UnknownNotice):
        enqueue_notice(user=parent, template="../../settings")
