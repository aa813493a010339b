from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        # Receivers are connected here, not in wagtail_hooks.py, because hooks
        # load only with the admin URLs: a qcluster worker or a management
        # command that publishes a page must still be audited.
        from portal.audit import receivers  # noqa: F401
