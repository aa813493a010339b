"""The parent's pages of the right of access, mounted at /requests/ by
portal/urls.py. Every name without arguments is also in
``portal.accounts.urls.PERSONAL_URL_NAMES`` (the verified-session test runs
over that list); those with arguments are covered by tests/sar/test_views_access.py."""

from django.urls import path, register_converter

from sar.views import consents, downloads, journey, my_data, requests

app_name = "sar"


class ReferenceConverter:
    """A request reference, SAR-YYYY-NNNNN (never confused with a page name)."""

    regex = r"[A-Z]{3}-\d{4}-\d{5,}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ReferenceConverter, "reference")

urlpatterns = [
    path("", requests.request_list, name="requests"),
    # Asking for records.
    path("new/", journey.start, name="start"),
    path("new/who/", journey.who, name="who"),
    path("new/children/", journey.children, name="children"),
    path("new/children/add/", journey.child_add, name="child_add"),
    path("new/children/<slug:key>/change/", journey.child_change, name="child_change"),
    path("new/children/<slug:key>/remove/", journey.child_remove, name="child_remove"),
    path("new/records/", journey.what, name="what"),
    path("new/records/which/", journey.what_detail, name="what_detail"),
    path("new/how/", journey.how, name="how"),
    path("new/help/", journey.adjustments, name="adjustments"),
    path("new/confidentiality/", journey.code, name="code"),
    path("new/check/", journey.check, name="check"),
    # Who we can share your information with.
    path("sharing/", consents.consent_list, name="consents"),
    path("sharing/<int:pk>/withdraw/", consents.consent_withdraw_view, name="consent_withdraw"),
    # What we hold about you, and who has looked at it.
    path("your-data/", my_data.my_data, name="my_data"),
    # One request.
    path("<reference:reference>/", requests.request_detail, name="request_detail"),
    path("<reference:reference>/sent/", journey.confirmation, name="confirmation"),
    path("<reference:reference>/answer/", requests.request_answer, name="answer"),
    path("<reference:reference>/withdraw/", requests.request_withdraw_view, name="withdraw"),
    path("<reference:reference>/records/<int:case_id>/", downloads.download, name="download"),
]

# The pages without arguments: each must be in PERSONAL_URL_NAMES (a test checks).
NO_ARGUMENT_URL_NAMES = [f"{app_name}:{p.name}" for p in urlpatterns if not p.pattern.converters]
