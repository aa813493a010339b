"""Emails to parents, young people and staff, always sent through the queue.

Emails leave the service's control, so they carry no personal data at all: no
names (not even the recipient's), no case details, no references. They say
that something happened and link to the sign-in page, where the person proves
who they are before seeing anything. The one exception is an appointment:
its time and place (and a calendar invite holding only those), registered by
the appointments app with ``register_notice``.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.mime.text import MIMEText

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import IntegrityError, transaction
from django.shortcuts import resolve_url
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from portal.audit.events import record
from portal.notifications.models import SentNotification
from portal.outbox import relay as outbox

logger = logging.getLogger(__name__)

# Template name -> subject. Only these can be sent: the name is also a path
# under templates/notifications/, so it is never taken from user input as is.
NOTICES = {
    "records_ready": "Your records are ready",
    "security_notice": "A change to how you sign in",
    "request_received": "We have received your request",
    "request_update": "There is an update on your request",
    "request_refused": "A decision on your request",
    # To the member of staff who asked for a bundle (sar.bundles).
    "bundle_ready": "A bundle you prepared is ready to check",
    "bundle_failed": "A bundle you prepared could not be made",
}

UNKNOWN_NOTICE = "There is no notice called {template!r}."


class UnknownNotice(ValueError):
    """The template name is not one of ``NOTICES``."""


@dataclass(frozen=True)
class Attachment:
    """A text file sent with a notice, e.g. a calendar invite: ``mimetype``
    "text/calendar" with ``params`` (("method", "REQUEST"),)."""

    filename: str
    content: str
    mimetype: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NoticeDetails:
    """What a notice about one object adds when it is sent: template context
    and attachments, holding no personal data beyond a time and a place."""

    context: dict = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


# Template name -> the function that builds its details from the id of the
# object it is about: ``details(object_id, template) -> NoticeDetails``. The
# queued task carries only the id and rebuilds them, so what is sent is what
# the object says when it is sent.
DETAILS_BUILDERS: dict[str, Callable[[int, str], NoticeDetails]] = {}


def register_notice(
    *, template: str, subject: str, details: Callable[[int, str], NoticeDetails] | None = None
) -> None:
    """Add a notice owned by another app (call it from ``AppConfig.ready``):
    its templates are ``notifications/<template>.txt`` (and ``.html``) in that
    app's templates folder."""
    NOTICES[template] = subject
    if details is not None:
        DETAILS_BUILDERS[template] = details


def _check_template(template: str) -> None:
    if template not in NOTICES:
        raise UnknownNotice(UNKNOWN_NOTICE.format(template=template))


def sign_in_url() -> str:
    """The absolute sign-in link, built from BASE_URL because a task has no
    request to take the host from."""
    return f"{settings.BASE_URL}{resolve_url(settings.LOGIN_URL)}"


def _render(template: str, extra: dict | None = None) -> tuple[str, str | None]:
    context = {
        **(extra or {}),
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


def _mime_part(attachment: Attachment) -> MIMEText:
    maintype, subtype = attachment.mimetype.split("/", 1)
    if maintype != "text":
        raise ValueError("Only text attachments are sent with notices.")
    part = MIMEText(attachment.content, subtype, "utf-8")
    for name, value in attachment.params:
        part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def send_notice(
    *, user_id: int, template: str, key: str | None = None, object_id: int | None = None
) -> None:
    """Send the ``template`` notice to a user and record it in the audit trail.

    With a ``key`` the notice is sent at most once for that key: the key is
    claimed before sending, so a duplicate delivery of the task sends nothing.
    If sending fails the claim is released so the queue's retry can send it.
    A notice with registered details (``register_notice``) is about the
    object ``object_id``; its details are built here, just before sending.
    """
    _check_template(template)
    builder = DETAILS_BUILDERS.get(template)
    if builder is not None and object_id is None:
        raise ValueError(f"The {template!r} notice needs the id of what it is about.")
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

    subject = f"{NOTICES[template]} - {settings.SERVICE_NAME}"
    try:
        details = builder(object_id, template) if builder is not None else NoticeDetails()
        text, html = _render(template, details.context)
        if details.attachments:
            message = EmailMultiAlternatives(subject, text, None, [user.email])
            if html:
                message.attach_alternative(html, "text/html")
            for attachment in details.attachments:
                message.attach(_mime_part(attachment))
            message.send()
        else:
            send_mail(
                subject=subject,
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


def enqueue_notice(
    *, user, template: str, key: str | None = None, object_id: int | None = None
) -> None:
    """Queue the ``template`` notice for ``user`` once the current transaction
    commits (a rolled-back change sends nothing; the worker sees the data).

    Through the outbox (``portal.outbox``), so a broker outage delays the
    notice rather than losing it. A notice without a ``key`` is given one of
    its own, so that however often the task is delivered it is sent once."""
    _check_template(template)
    key = key or f"{template}:{uuid.uuid4().hex}"
    outbox.enqueue(
        "portal.notifications.tasks.send_notice_task",
        user.pk,
        template,
        key,
        object_id,
        group="notifications",
    )
