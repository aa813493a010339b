"""Retention and disposal: the date a child left education (recorded by
staff), the queue of service cases due for disposal, the tombstone left by a
disposal, and the daily django-q2 schedule that fills the queue
(``sar.retention.queue``; ``queue.ensure_schedule`` also creates it, and
leaves a schedule staff have tuned alone)."""

import datetime
import zoneinfo

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SCHEDULE_NAME = "sar: list cases due for disposal"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    london = zoneinfo.ZoneInfo("Europe/London")
    now = datetime.datetime.now(london)
    next_run = datetime.datetime.combine(now.date(), datetime.time(2, 0), tzinfo=london)
    if next_run <= now:
        next_run += datetime.timedelta(days=1)
    Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "sar.retention.tasks.refresh_disposal_queue",
            "schedule_type": "D",  # Schedule.DAILY
            "repeats": -1,
            "next_run": next_run,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sar", "0004_safeguarding_holds"),
        ("django_q", "0018_task_success_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="child",
            name="left_education_on",
            field=models.DateField(blank=True, null=True, verbose_name="left education on"),
        ),
        migrations.CreateModel(
            name="DisposalDue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("due_on", models.DateField(db_index=True, verbose_name="due for disposal on")),
                (
                    "rule",
                    models.CharField(
                        choices=[
                            (
                                "children",
                                "Every child on the case has reached 25 or left education, and the grace period has passed",
                            ),
                            (
                                "closed_no_children",
                                "Closed with no children on the case, and the retention period has passed",
                            ),
                        ],
                        max_length=30,
                        verbose_name="why",
                    ),
                ),
                (
                    "listed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="first listed"
                    ),
                ),
                (
                    "checked_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="last checked"
                    ),
                ),
                (
                    "service_case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="disposal_due",
                        to="sar.servicecase",
                        verbose_name="service case",
                    ),
                ),
            ],
            options={
                "verbose_name": "disposal due",
                "verbose_name_plural": "disposals due",
                "ordering": ["due_on", "service_case_id"],
            },
        ),
        migrations.CreateModel(
            name="DisposalTombstone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "service_case_number",
                    models.PositiveBigIntegerField(unique=True, verbose_name="service case number"),
                ),
                (
                    "references",
                    models.JSONField(blank=True, default=list, verbose_name="request references"),
                ),
                ("opened_on", models.DateField(verbose_name="opened on")),
                ("closed_on", models.DateField(blank=True, null=True, verbose_name="closed on")),
                (
                    "rule",
                    models.CharField(
                        choices=[
                            (
                                "children",
                                "Every child on the case has reached 25 or left education, and the grace period has passed",
                            ),
                            (
                                "closed_no_children",
                                "Closed with no children on the case, and the retention period has passed",
                            ),
                        ],
                        max_length=30,
                        verbose_name="why it was due",
                    ),
                ),
                ("counts", models.JSONField(default=dict, verbose_name="what was destroyed")),
                (
                    "audit_events_erased",
                    models.PositiveIntegerField(
                        default=0, verbose_name="audit events with personal fields erased"
                    ),
                ),
                (
                    "confirmed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="disposed of"
                    ),
                ),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="confirmed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "disposal record",
                "verbose_name_plural": "disposal records",
                "ordering": ["-confirmed_at", "-id"],
            },
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
