from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal import health as checks


@never_cache
def health(request):
    """For load balancers: can this web process serve pages, i.e. reach the
    database? Deliberately nothing else: a queue or worker outage must not
    take the web tier out of service (pages still work without them)."""
    database = "ok" if checks.database_ok() else "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database}, status=status)


@never_cache
def service_health(request):
    """For monitoring: the database, the queue's broker and the workers'
    heartbeat. 200 when all are well, otherwise 503 naming what is failing in
    ``failing``. Holds no secrets and no error text (those go to the log)."""
    components = {
        "database": "ok" if checks.database_ok() else "unavailable",
        "broker": "ok" if checks.broker_ok() else "unavailable",
    }
    clusters = 0
    if components["broker"] == "ok":
        clusters = checks.running_clusters()
        components["workers"] = "ok" if clusters else "unavailable"
    else:
        # Without the broker the heartbeat cannot be read, nor work be taken.
        components["workers"] = "unknown"
    failing = [name for name, state in components.items() if state != "ok"]
    body = {"status": "unavailable" if failing else "ok", **components, "clusters": clusters}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


def load_test_floor(request):
    """The load test's floor: a bare view behind the whole middleware stack,
    with no database query and no template. Routed only when LOAD_TEST is on."""
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request, exception):
    return render(request, "portal/404.html", status=404)


def server_error(request):
    # No context processors that touch the database: this page must render
    # even when the database is the reason for the error.
    return render(request, "portal/500.html", status=500)
