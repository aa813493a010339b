from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap

from portal import views
from portal.accounts.urls import passkey_urlpatterns

urlpatterns = [
    path("health/", views.health, name="health"),
    path("health/service/", views.service_health, name="service_health"),
    path("account/passkeys/", include((passkey_urlpatterns, "otp_webauthn"))),
    path("account/", include("portal.accounts.urls")),
    path("appointments/", include("appointments.urls")),
    path("requests/", include("sar.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
]

if settings.LOAD_TEST:
    urlpatterns += [path("load-test/floor/", views.load_test_floor, name="load_test_floor")]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)

# Wagtail serves the page tree last, so every app URL above takes precedence.
urlpatterns += [
    # Wagtail's front-end sign-in is Django's bare LoginView: a password check
    # with no throttling and no audit event. Anyone sent there (or opening it)
    # goes to the portal's sign-in instead, with their ``next``.
    path(
        "_util/login/",
        RedirectView.as_view(pattern_name="accounts:sign_in", query_string=True),
        name="wagtail_frontend_login",
    ),
    path("", include(wagtail_urls)),
]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
