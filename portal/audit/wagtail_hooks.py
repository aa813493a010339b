"""The audit trail in the Wagtail admin: a read-only listing for staff who hold
``audit.view_auditevent``. Nobody, superusers included, is offered add, edit,
copy or delete: the permission policy grants "view" only.

It sits in an "Audit" menu; other apps add their audit reports to it with the
``register_audit_menu_item`` hook (``AUDIT_MENU_HOOK``), as Wagtail's own
settings and reports menus work."""

import django_filters
from django.contrib.auth import get_user_model
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.audit.models import AuditEvent

READ_ONLY_ACTIONS = {"view"}
AUDIT_MENU_HOOK = "register_audit_menu_item"


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, but only the "view" action can ever be granted."""

    def user_has_permission(self, user, action):
        return action in READ_ONLY_ACTIONS and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action in READ_ONLY_ACTIONS]
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)


# Registered before the viewset is built, so Wagtail never makes its default
# (editable) fallback policy for the model.
register_permission_policy(AuditEvent, ReadOnlyPermissionPolicy(AuditEvent), exact_class=True)


class AuditEventFilterSet(WagtailFilterSet):
    action = django_filters.CharFilter(
        lookup_expr="startswith",
        label=_("Action"),
        help_text=_('Starts with, e.g. "sar." or "account.signed_in".'),
    )
    # Declared filters skip WagtailFilterSet's widget defaults, so the admin's
    # date range picker is named here.
    timestamp = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)

    class Meta:
        model = AuditEvent
        fields = ["action", "timestamp"]


class AuditEventViewSet(ModelViewSet):
    model = AuditEvent
    name = "audit"
    icon = "list-ul"
    menu_label = _("Audit trail")
    menu_order = 100
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["timestamp", "action", "actor_label", "object_type", "object_id", "reason"]
    list_export = [
        "id",
        "timestamp",
        "action",
        "actor_label",
        "object_type",
        "object_id",
        "reason",
        "ip_address",
        "hash",
    ]
    filterset_class = AuditEventFilterSet
    inspect_view_fields = [
        "id",
        "timestamp",
        "action",
        "actor_label",
        "object_type",
        "object_id",
        "reason",
        "ip_address",
        "data",
        "personal_digest",
        "previous_hash",
        "hash",
    ]
    list_per_page = 50

    def get_permissions_to_register(self):
        # Only "view" means anything here; offering add/change/delete in the
        # group editor would suggest they could be granted.
        return super().get_permissions_to_register().filter(codename="view_auditevent")

    def get_form_class(self, for_update=False):
        # The add and edit views exist in the viewset but the permission policy
        # refuses them; give them a form with no fields so nothing is editable
        # even if a view were reached.
        return modelform_factory(AuditEvent, fields=[])


class AuditGroup(ViewSetGroup):
    """The "Audit" menu: the trail, and the reports other apps register."""

    menu_label = _("Audit")
    menu_icon = "list-ul"
    menu_order = 900
    items = (AuditEventViewSet,)
    submenu_hook = AUDIT_MENU_HOOK


@hooks.register("register_admin_viewset")
def register_audit_viewset():
    return AuditGroup()
