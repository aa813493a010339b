"""The django-q2 schedule that queues tasks left waiting while the broker
was down (``portal.outbox.relay``), every minute. Created once; staff may
tune it in the admin."""

from django.db import migrations

NAME = "portal: relay pending tasks"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=NAME,
        defaults={
            "func": "portal.outbox.tasks.relay_pending_task",
            "schedule_type": "I",  # Schedule.MINUTES
            "minutes": 1,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_pending_task"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [
        migrations.RunPython(create_schedule, remove_schedule),
    ]
