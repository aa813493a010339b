"""The django-q2 schedules the project's tasks run on.

Each is created by a data migration (which keeps its own copy, as migrations
must: they run against the historical models), and again by this when missing,
so a database whose schedules were flushed (the demo data, tests) gets them back.
"""


def ensure_schedule(*, name: str, func: str, **timing):
    """The schedule ``name``, created with ``func`` and ``timing`` (django-q2
    ``Schedule`` fields such as ``schedule_type``, ``minutes``, ``next_run``),
    repeating for ever, if it is missing. One that exists is left alone, so a
    schedule staff have tuned in the admin keeps their changes."""
    from django_q.models import Schedule

    schedule, _ = Schedule.objects.get_or_create(
        name=name, defaults={"func": func, "repeats": -1, **timing}
    )
    return schedule
