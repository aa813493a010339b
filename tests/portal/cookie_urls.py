"""A URLconf for the cookie tests: one view that writes the session and asks
for a CSRF token, served through the project's real middleware stack."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path


def sets_cookies(request):
    request.session["seen"] = True
    get_token(request)
    return HttpResponse("ok")


urlpatterns = [
    path("sets-cookies/", sets_cookies),
    path("", include("portal.urls")),
]
