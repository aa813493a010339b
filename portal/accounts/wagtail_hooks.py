from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.accounts import admin_views


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_urls")
def register_recovery_urls():
    return [
        path("sign-in-resets/", admin_views.recovery_index, name="accounts_recovery_index"),
        path(
            "sign-in-resets/<int:pk>/",
            admin_views.recovery_detail,
            name="accounts_recovery_detail",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_recovery_menu_item():
    return PermissionMenuItem(
        _("Sign-in resets"),
        reverse("accounts_recovery_index"),
        icon_name="key",
        order=900,
        permission=admin_views.PERMISSION,
    )
