"""An event's personal fields (reason, IP address) become erasable: the hash
chain covers them through a salted digest (``personal_digest``), and the
triggers let through the one UPDATE that blanks them (version 2 in
portal/audit/triggers.py). Events already written keep hashing their fields as
they are (an empty digest says so) and cannot be erased.

On SQLite adding a NOT NULL column rebuilds the table, which drops its
triggers; they are created again (the new version) at the end either way.
"""

from django.db import migrations, models


def triggers_v2(apps, schema_editor):
    from portal.audit.triggers import create_triggers, drop_triggers

    drop_triggers(schema_editor.connection)
    create_triggers(schema_editor.connection, version=2)


def triggers_v1(apps, schema_editor):
    from portal.audit.triggers import create_triggers, drop_triggers

    drop_triggers(schema_editor.connection)
    create_triggers(schema_editor.connection, version=1)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        # Forwards, nothing; backwards (run last), version 1 again, since on
        # SQLite removing the columns rebuilds the table without triggers.
        migrations.RunPython(migrations.RunPython.noop, triggers_v1, elidable=False),
        migrations.AddField(
            model_name="auditevent",
            name="personal_digest",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="digest of the personal fields"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="personal_salt",
            field=models.CharField(
                blank=True, default="", max_length=32, verbose_name="salt of the digest"
            ),
        ),
        migrations.RunPython(triggers_v2, triggers_v1, elidable=False),
    ]
