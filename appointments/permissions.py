"""Who runs appointments in the admin: the Caseworker and Administrator groups
(and superusers). A content editor, or an approver or safeguarding lead who is
in neither group, sees no appointment screen.

Roles are groups looked up by name (``sar.roles``), as for the case screens,
so the same person is a caseworker everywhere; the Wagtail permission policy
below applies that rule to the locations, hours, closures and booking rules
screens, and ``appointments.booking`` applies it to the staff actions.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from sar import roles

BOOKING_STAFF_ROLES = (roles.CASEWORKER, roles.ADMINISTRATOR)


def is_booking_staff(user) -> bool:
    """Whether ``user`` may open the appointment screens and act on bookings."""
    return roles.has_any_role(user, BOOKING_STAFF_ROLES)


class BookingStaffPermissionPolicy(BasePermissionPolicy):
    """Every action (add, change, delete, view) for booking staff, none for
    anyone else; not configurable per group, so there are no model
    permissions to grant in the group editor."""

    def user_has_permission(self, user, action):
        return is_booking_staff(user)

    def user_has_any_permission(self, user, actions):
        return is_booking_staff(user)

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(
                Q(groups__name__in=BOOKING_STAFF_ROLES) | Q(is_superuser=True), is_active=True
            )
            .distinct()
        )

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])
