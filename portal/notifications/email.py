"""Emails to parents, young people and staff, always sent through the queue.

Emails leave the service's control, so they carry no personal data at all: no
names (not even the recipient's), no case details, no references. They say
that something happened and link to the sign-in page, where the person proves
who they are before seeing anything.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.shortcuts import resolve_url
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django_q.tasks import async_task

from portal.audit.events import record
from portal.notifications.models import SentNotification

logger = logging.getLogger(__name__)

# Template name -> subject. Only these can be sent: the name is also a path
# under templates/notifications/, so it is never taken from user input as is.
NOTICES = {
    "records_ready": "Your records are ready",
    "security_notice": "A change to how you sign in",
    "request_received": "We have received your request",
    "request_update": "There is an update on your request",
    "request_refused": "A decision on your request",
}

UNKNOWN_NOTICE = "There is no notice called {template!r}."


class UnknownNotice(ValueError):
    """The template name is not one of ``NOTICES``."""


def _check_template(template: str) -> None:
    if template not in NOTICES:
        raise UnknownNotice(UNKNOWN_NOTICE.format(template=template))


def sign_in_url() -> str:
    """The absolute sign-in link, built from BASE_URL because a task has no
    request to take the host from."""
    return f"{settings.BASE_URL}{resolve_url(settings.LOGIN_URL)}"


def _render(template: str) -> tuple[str, str | None]:
    context = {
        "service_name": settings.SERVICE_NAME,
        "sign_in_url": sign_in_url(),
        "base_url": settings.BASE_URL,
    }
    text = render_to_string(f"notifications/{template}.txt", context)
    try:
        html = render_to_string(f"notifications/{template}.html", context)
    except TemplateDoesNotExist:
        html = None
    return text, html


def send_notice(*, user_id: int, template: str, key: str | None = None) -> None:
    """Send the ``template`` notice to a user and record it in the audit trail.

    With a ``key`` the notice is sent at most once for that key: the key is
    claimed before sending, so a duplicate delivery of the task sends nothing.
    If sending fails the claim is released so the queue's retry can send it.
    """
    _check_template(template)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("Notice %s not sent: user %s is missing or inactive.", template, user_id)
        return
    if key:
        try:
            with transaction.atomic():
                SentNotification.objects.create(key=key, user=user, template=template)
        except IntegrityError:
            logger.info("Notice %s for user %s already sent (key %s).", template, user_id, key)
            return

    text, html = _render(template)
    try:
        send_mail(
            subject=f"{NOTICES[template]} - {settings.SERVICE_NAME}",
            message=text,
            from_email=None,
            recipient_list=[user.email],
            html_message=html,
        )
    except Exception:
        if key:
            SentNotification.objects.filter(key=key).delete()
        # The email address stays out of the log: only ids and the template.
        logger.exception("Notice %s to user %s failed.", template, user_id)
        raise
    record(action="notification.sent", obj=user, data={"template": template})
    logger.info("Notice %s sent to user %s.", template, user_id)


def enqueue_notice(*, user, template: str, key: str | None = None) -> None:
    """Queue the ``template`` notice for ``user`` once the current transaction
    commits (a rolled-back change sends nothing; the worker sees the data)."""
    _check_template(template)
    user_id = user.pk

    def enqueue():
        async_task(
            "portal.notifications.tasks.send_notice_task",
            user_id,
            template,
            key,
            group="notifications",
        )

    transaction.on_commit(enqueue)
