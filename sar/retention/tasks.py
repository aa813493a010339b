"""django-q2 entry points for retention: thin, they call the domain."""

from sar.retention import queue


def refresh_disposal_queue() -> str:
    """Run daily by the schedule ``queue.SCHEDULE_NAME``: list the service
    cases due for disposal. Deletes nothing."""
    result = queue.disposals_refresh()
    return f"{result.due} due ({result.listed} new, {result.removed} no longer due)"
