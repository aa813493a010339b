"""The right of access in the Wagtail admin: the "Requests" menu (the
caseworker dashboard and consents to disclose), shown to the staff who work on
requests and to nobody else, and its URLs under /admin/requests/."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from portal.audit.wagtail_hooks import AUDIT_MENU_HOOK
from sar import admin_views, roles
from sar.admin_views.reads_report import may_see_reads_report
from sar.case_studies import may_make_case_studies


class CaseStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return roles.is_case_staff(request.user)


class RetentionStaffMenuItem(MenuItem):
    """Caseworkers and administrators."""

    def is_shown(self, request):
        return roles.has_any_role(request.user, (roles.CASEWORKER, roles.ADMINISTRATOR))


class HoldStaffMenuItem(MenuItem):
    """Safeguarding leads and administrators: nobody else sees holds."""

    def is_shown(self, request):
        return roles.may_see_holds(request.user)


class CaseStudyMenuItem(MenuItem):
    def is_shown(self, request):
        return may_make_case_studies(request.user)


class ReadsReportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_reads_report(request.user)


@hooks.register("register_admin_urls")
def register_sar_admin_urls():
    return [path("requests/", include(admin_views, namespace="sar_admin"))]


@hooks.register("register_admin_menu_item")
def register_requests_menu():
    menu = Menu(
        items=[
            CaseStaffMenuItem(
                _("Case dashboard"),
                reverse("sar_admin:dashboard"),
                name="sar-dashboard",
                icon_name="folder-open-inverse",
                order=100,
            ),
            CaseStaffMenuItem(
                _("Consents to disclose"),
                reverse("sar_admin:consents"),
                name="sar-consents",
                icon_name="clipboard-list",
                order=200,
            ),
            HoldStaffMenuItem(
                _("Safeguarding holds"),
                reverse("sar_admin:holds"),
                name="sar-holds",
                icon_name="lock",
                order=300,
            ),
            RetentionStaffMenuItem(
                _("Disposal"),
                reverse("sar_admin:disposal_queue"),
                name="sar-disposal",
                icon_name="bin",
                order=400,
            ),
            CaseStudyMenuItem(
                _("Case studies"),
                reverse("sar_admin:case_studies"),
                name="sar-case-studies",
                icon_name="doc-full",
                order=500,
            ),
        ]
    )
    return SubmenuMenuItem(
        _("Requests"), menu, name="requests", icon_name="folder-open-inverse", order=150
    )


@hooks.register(AUDIT_MENU_HOOK)
def register_reads_report_menu_item():
    return ReadsReportMenuItem(
        _("Staff reads"),
        reverse("sar_admin:reads_report"),
        name="sar-reads-report",
        icon_name="view",
        order=200,
    )
