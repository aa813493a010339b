"""django-q2 entry points for appointments: thin, they call the domain."""

from appointments import reminders


def send_due_reminders() -> int:
    """Run by the schedule ``reminders.SCHEDULE_NAME`` every few minutes."""
    return reminders.send_due_reminders()
