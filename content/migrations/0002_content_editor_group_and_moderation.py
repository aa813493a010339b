"""Content editors and moderation.

The "Content editor" group may open the Wagtail admin and add, change and lock
pages anywhere in the page tree, but not publish: their changes go through
Wagtail's default "Moderators approval" workflow, which this makes sure is
assigned to the root of the tree (and so to every page). Idempotent, so it is
safe on a database where Wagtail's own migrations already set the workflow up.
"""

from django.db import migrations

CONTENT_EDITOR = "Content editor"
MODERATORS = "Moderators"
WORKFLOW = "Moderators approval"
PAGE_PERMISSIONS = [
    ("add_page", "Can add page"),
    ("change_page", "Can change page"),
    ("lock_page", "Lock/unlock pages you've locked"),
]


def create_group_and_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return

    editors, _ = Group.objects.get_or_create(name=CONTENT_EDITOR)
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    editors.permissions.add(access_admin)

    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    for codename, name in PAGE_PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=page_type, codename=codename, defaults={"name": name}
        )
        GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=permission)

    # Wagtail's migrations create this workflow for the Moderators group; it is
    # only rebuilt here if someone has deleted it.
    workflow = Workflow.objects.filter(name=WORKFLOW).first()
    if workflow is None:
        moderators, _ = Group.objects.get_or_create(name=MODERATORS)
        task_type, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.create(name=WORKFLOW, content_type=task_type, active=True)
        task.groups.add(moderators)
        workflow = Workflow.objects.create(name=WORKFLOW, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    elif not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    # An assignment an administrator made on purpose is kept.
    WorkflowPage.objects.get_or_create(page=root, defaults={"workflow": workflow})


def remove_group(apps, schema_editor):
    # The workflow belongs to Wagtail and stays; the group's page permissions
    # go with it.
    apps.get_model("auth", "Group").objects.filter(name=CONTENT_EDITOR).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0090_remove_grouppagepermission_permission_type"),
    ]

    operations = [migrations.RunPython(create_group_and_workflow, remove_group)]
