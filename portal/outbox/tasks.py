"""django-q2 entry points for the outbox: thin, they call the relay."""

from portal.outbox.relay import relay_pending


def relay_pending_task() -> int:
    return relay_pending()
