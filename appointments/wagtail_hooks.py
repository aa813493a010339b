"""Appointments in the Wagtail admin: an "Appointments" menu with the diary
(day and week views, one appointment and its actions), locations, staff with
their weekly hours, and closures; the booking rules are under Settings.
Shown to booking staff only (``appointments.permissions``): the permission
policy is registered for each model before its viewset is built, so Wagtail
never makes its default, group-permission one."""

from django.contrib.auth.models import Permission
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from appointments import admin_views
from appointments.models import Closure, Location, StaffMember
from appointments.permissions import BookingStaffPermissionPolicy, is_booking_staff

for _model in (Location, StaffMember, Closure):
    register_permission_policy(_model, BookingStaffPermissionPolicy(_model), exact_class=True)


class BookingStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_booking_staff(request.user)


class DiaryViewSet(ViewSet):
    name = "appointment_diary"
    url_prefix = "appointments/diary"
    icon = "date"
    menu_label = _("Diary")
    menu_item_class = BookingStaffMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.DayView.as_view(), name="day"),
            path("week/", admin_views.WeekView.as_view(), name="week"),
            path("<int:pk>/", admin_views.BookingDetailView.as_view(), name="booking"),
            path(
                "<int:pk>/attended/",
                admin_views.MarkView.as_view(step="attended"),
                name="attended",
            ),
            path(
                "<int:pk>/no-show/",
                admin_views.MarkView.as_view(step="no_show"),
                name="no_show",
            ),
            path("<int:pk>/cancel/", admin_views.CancelView.as_view(), name="cancel"),
        ]


class NoGroupPermissionsMixin:
    def get_permissions_to_register(self):
        # Access follows the staff groups by name; there is nothing to grant
        # per group, so nothing is offered in the group editor.
        return Permission.objects.none()


class LocationViewSet(NoGroupPermissionsMixin, ModelViewSet):
    model = Location
    name = "appointment_locations"
    url_prefix = "appointments/locations"
    icon = "site"
    menu_label = _("Locations")
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    copy_view_enabled = False
    add_to_reference_index = False


class StaffMemberViewSet(NoGroupPermissionsMixin, ModelViewSet):
    model = StaffMember
    name = "appointment_staff"
    url_prefix = "appointments/staff"
    icon = "user"
    menu_label = _("Staff and hours")
    list_display = ["__str__", "is_active"]
    copy_view_enabled = False
    add_to_reference_index = False


class ClosureViewSet(NoGroupPermissionsMixin, ModelViewSet):
    model = Closure
    name = "appointment_closures"
    url_prefix = "appointments/closures"
    icon = "cross"
    menu_label = _("Closures")
    list_display = ["__str__", "staff", "location", "reason"]
    copy_view_enabled = False
    add_to_reference_index = False


class AppointmentsGroup(ViewSetGroup):
    menu_label = _("Appointments")
    menu_icon = "date"
    menu_order = 160
    items = (DiaryViewSet, LocationViewSet, StaffMemberViewSet, ClosureViewSet)


@hooks.register("register_admin_viewset")
def register_appointments_viewsets():
    return AppointmentsGroup()
