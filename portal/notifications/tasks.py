"""django-q2 entry points for notifications: thin, they call the domain."""

from portal.notifications.email import send_notice


def send_notice_task(
    user_id: int, template: str, key: str | None = None, object_id: int | None = None
) -> None:
    send_notice(user_id=user_id, template=template, key=key, object_id=object_id)
