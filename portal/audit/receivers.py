"""Wagtail's own page actions, copied into the audit trail.

Wagtail writes a ``PageLogEntry`` (with the acting user) for every publish,
unpublish, deletion, move and workflow step, from the admin, the API and
management commands alike. Listening there, rather than to ``page_published``
and ``page_unpublished``, gives one receiver and the real actor for every
action: ``page_unpublished`` carries no user at all.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import PageLogEntry

from portal.audit.events import record

# Wagtail log action -> audit action. Other log actions (edits of drafts,
# renames, reorders) are not state changes the service reports on.
PAGE_ACTIONS = {
    "wagtail.publish": "page.published",
    "wagtail.unpublish": "page.unpublished",
    "wagtail.delete": "page.deleted",
    "wagtail.move": "page.moved",
    "wagtail.workflow.start": "page.workflow.submitted",
    "wagtail.workflow.approve": "page.workflow.approved",
    "wagtail.workflow.reject": "page.workflow.rejected",
    "wagtail.workflow.cancel": "page.workflow.cancelled",
    "wagtail.workflow.resume": "page.workflow.resumed",
}


@receiver(post_save, sender=PageLogEntry, dispatch_uid="audit_page_log_entry")
def record_page_action(sender, instance, created, raw=False, **kwargs):
    action = PAGE_ACTIONS.get(instance.action)
    if not created or raw or action is None:
        return
    record(
        action=action,
        actor=instance.user,
        object_type="wagtailcore.page",
        object_id=instance.page_id,
        data={"log_entry": instance.pk, "revision": instance.revision_id},
    )
