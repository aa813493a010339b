from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from django.core.signals import request_finished

        from portal import checks  # noqa: F401  (registers the system checks)
        from portal.logs import clear_request_id

        request_finished.connect(clear_request_id, dispatch_uid="portal.logs.clear_request_id")
