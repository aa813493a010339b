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


class RoleMenuItem(MenuItem):
    """A menu item shown to the staff ``shown_to(user)`` allows (the same rule
    the screen behind it applies)."""

    def __init__(self, *args, shown_to, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown_to = shown_to

    def is_shown(self, request):
        return self.shown_to(request.user)


@hooks.register("register_admin_urls")
def register_sar_admin_urls():
    return [path("requests/", include(admin_views, namespace="sar_admin"))]


@hooks.register("register_admin_menu_item")
def register_requests_menu():
    menu = Menu(
        items=[
            RoleMenuItem(
                _("Case dashboard"),
                reverse("sar_admin:dashboard"),
                name="sar-dashboard",
                icon_name="folder-open-inverse",
                order=100,
                shown_to=roles.is_case_staff,
            ),
            RoleMenuItem(
                _("Consents to disclose"),
                reverse("sar_admin:consents"),
                name="sar-consents",
                icon_name="clipboard-list",
                order=200,
                shown_to=roles.is_case_staff,
            ),
            RoleMenuItem(
                _("Safeguarding holds"),
                reverse("sar_admin:holds"),
                name="sar-holds",
                icon_name="lock",
                order=300,
                shown_to=roles.may_see_holds,
            ),
            RoleMenuItem(
                _("Disposal"),
                reverse("sar_admin:disposal_queue"),
                name="sar-disposal",
                icon_name="bin",
                order=400,
                shown_to=roles.may_see_retention,
            ),
            RoleMenuItem(
                _("Case studies"),
                reverse("sar_admin:case_studies"),
                name="sar-case-studies",
                icon_name="doc-full",
                order=500,
                shown_to=may_make_case_studies,
            ),
        ]
    )
    return SubmenuMenuItem(
        _("Requests"), menu, name="requests", icon_name="folder-open-inverse", order=150
    )


@hooks.register(AUDIT_MENU_HOOK)
def register_reads_report_menu_item():
    return RoleMenuItem(
        _("Staff reads"),
        reverse("sar_admin:reads_report"),
        name="sar-reads-report",
        icon_name="view",
        order=200,
        shown_to=may_see_reads_report,
    )
