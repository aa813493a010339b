from django.conf import settings


def service(request):
    """The service name and phase every page shows in its header and banner."""
    return {"service_name": settings.SERVICE_NAME, "service_phase": settings.SERVICE_PHASE}
