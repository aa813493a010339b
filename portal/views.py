from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """Liveness and database reachability for load balancers; no personal data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure is "unavailable"
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database}, status=status)


def page_not_found(request, exception):
    return render(request, "portal/404.html", status=404)


def server_error(request):
    # No context processors that touch the database: this page must render
    # even when the database is the reason for the error.
    return render(request, "portal/500.html", status=500)
