"""The database refuses UPDATE and DELETE on audit events.

The ORM guards in portal.audit.models stop the application's own code; these
triggers also stop raw SQL and any other client, so the trail stays
append-only whatever touches the database. See portal/audit/triggers.py.
"""

from django.db import migrations


def create(apps, schema_editor):
    from portal.audit.triggers import create_triggers

    # Version 1, as this migration always made (0003 replaces them).
    create_triggers(schema_editor.connection, version=1)


def drop(apps, schema_editor):
    from portal.audit.triggers import drop_triggers

    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_audit_event"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
