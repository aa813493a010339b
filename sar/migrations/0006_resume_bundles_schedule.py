"""The django-q2 schedule that resumes bundles whose worker stopped part-way
and deletes bundle files no bundle names (``sar.bundles.recover``), every
minute. Created once (``recover.ensure_schedule`` also creates it); staff may
tune it in the admin."""

from django.db import migrations

NAME = "sar: resume interrupted bundles"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=NAME,
        defaults={
            "func": "sar.tasks.recover_bundles_task",
            "schedule_type": "I",  # Schedule.MINUTES
            "minutes": 1,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sar", "0005_retention"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [
        migrations.RunPython(create_schedule, remove_schedule),
    ]
