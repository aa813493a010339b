"""On PostgreSQL, no two booked appointments of one member of staff overlap in
time, held by the database: an exclusion constraint over (staff, the time
range) using btree_gist (equality on an integer inside a GiST index).

SQLite has no exclusion constraints, so this runs only on PostgreSQL, and the
constraint is not in the model's state (``makemigrations`` never sees it): on
SQLite, where a write transaction holds the whole database, the partial unique
constraint on (staff, start) and the checks in ``appointments.booking`` do the
same job.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "appointments_booking_no_overlap"


def _constraint():
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import (
        DateTimeRangeField,
        RangeBoundary,
        RangeOperators,
    )
    from django.db.models import Func, Q

    class TsTzRange(Func):
        function = "TSTZRANGE"
        output_field = DateTimeRangeField()

    return ExclusionConstraint(
        name=CONSTRAINT,
        expressions=[
            ("staff", RangeOperators.EQUAL),
            # Half-open: one appointment may end exactly when the next starts.
            (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=Q(status="booked"),
    )


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Booking = apps.get_model("appointments", "Booking")
    schema_editor.add_constraint(Booking, _constraint())


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Booking = apps.get_model("appointments", "Booking")
    schema_editor.remove_constraint(Booking, _constraint())


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0001_initial"),
    ]

    operations = [
        # Does nothing on other databases (Django checks the vendor).
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, remove_constraint),
    ]
