"""The django-q2 schedule that sends appointment reminders every 15 minutes
(``appointments.reminders``). Created once; staff may tune it in the admin.
The demo data step calls ``reminders.ensure_schedule`` too, which also leaves
an existing one alone."""

from django.db import migrations

NAME = "appointments: send due reminders"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=NAME,
        defaults={
            "func": "appointments.tasks.send_due_reminders",
            "schedule_type": "I",  # Schedule.MINUTES
            "minutes": 15,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0002_booking_no_overlap_postgresql"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [
        migrations.RunPython(create_schedule, remove_schedule),
    ]
