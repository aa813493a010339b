"""Load the data a local or demo portal needs, idempotently: run it any number
of times. The set-up command (``scripts/run``) runs it after ``migrate``.

Each step is a function that creates what is missing and leaves the rest
alone; later features add their own steps to ``STEPS``.
"""

from collections.abc import Callable

from django.core.management.base import BaseCommand
from django.db import transaction


def publish_content() -> str:
    """The home page and the confidentiality code, from the seed, unless editors
    have already published it (their revisions are never overwritten here)."""
    from content.seed import publish_confidentiality_code

    page = publish_confidentiality_code(overwrite=False)
    return f"confidentiality code at {page.url}"


def load_appointments() -> str:
    """Locations, a demo caseworker's hours and the reminders schedule."""
    from appointments.demo import load_demo_appointments

    return load_demo_appointments()


def load_case_file() -> str:
    """A fictional parent's case file: about forty records, encrypted at rest."""
    from sar.demo import load_demo_case_file

    return load_demo_case_file()


def retention_schedule() -> str:
    """The daily check that lists service cases due for disposal (it deletes
    nothing: a caseworker confirms each disposal)."""
    from sar.retention.queue import ensure_schedule

    schedule = ensure_schedule()
    return f"“{schedule.name}” runs daily"


# (name, step) in the order they run; a step returns a short summary.
STEPS: list[tuple[str, Callable[[], str]]] = [
    ("Content", publish_content),
    ("Appointments", load_appointments),
    ("Demo case file", load_case_file),
    ("Retention", retention_schedule),
]


class Command(BaseCommand):
    help = "Load demo data (pages, and later demo cases). Safe to run again."

    def handle(self, *args, **options):
        for name, step in STEPS:
            with transaction.atomic():
                summary = step()
            self.stdout.write(f"{name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
