"""Staff groups. Every group may open the Wagtail admin; caseworkers and
administrators may also check identity and reset a person's second factors.
Later migrations attach further permissions to these groups.

get_or_create throughout, and permissions are only ever added: another app's
migration (the content app's seed) also creates "Content editor".
"""

from django.core.management import call_command
from django.db import migrations

GROUPS = {
    "Caseworker": ["wagtailadmin.access_admin", "accounts.reset_factors"],
    "Approver": ["wagtailadmin.access_admin"],
    "Safeguarding lead": ["wagtailadmin.access_admin"],
    "Content editor": ["wagtailadmin.access_admin"],
    "Administrator": [
        "wagtailadmin.access_admin",
        "accounts.reset_factors",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
    ],
}

MODEL_PERMISSIONS = {
    # (app_label, model): [(codename, name)] for permissions that Django would
    # otherwise create only after every migration has run.
    ("accounts", "recoveryrequest"): [
        ("reset_factors", "Can check identity and reset a person's second factors"),
    ],
    ("accounts", "user"): [
        ("add_user", "Can add user"),
        ("change_user", "Can change user"),
        ("view_user", "Can view user"),
    ],
}


def create_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    for (app_label, model), permissions in MODEL_PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for codename, name in permissions:
            Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )

    for group_name, permission_names in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for permission_name in permission_names:
            app_label, codename = permission_name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def create_cache_table(apps, schema_editor):
    # The database cache backend (used when REDIS_URL is unset) needs its table;
    # creating it here means `migrate` is enough. Does nothing for other backends
    # or when the table exists.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_name_email_verified_recovery"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        # Groups are left in place on reverse: other apps attach permissions to them.
        migrations.RunPython(create_groups, migrations.RunPython.noop),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
