"""The staff diary in the Wagtail admin: a day and a week of appointments
with the adjustments asked for, one appointment with its actions (mark
attended or not, cancel with a reason). Each action calls one function of
``appointments.booking``.

Behind Wagtail's own gate (``wagtailadmin.access_admin``, reached only with a
verified second factor) and then ``BookingStaffRequiredMixin``: Caseworker and
Administrator groups and superusers. Rows name nobody: a request is shown by
its reference.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from appointments import availability, booking, formats, selectors
from appointments.forms import StaffCancelForm
from appointments.models import Booking, BookingStatus
from appointments.permissions import is_booking_staff
from portal.audit.events import record

# Why staff open one appointment, recorded with every "viewed" event.
VIEW_PURPOSE = "Running the appointments diary"


def url(name: str, *args) -> str:
    return reverse(f"appointment_diary:{name}", args=args)


@method_decorator(never_cache, name="dispatch")
class BookingStaffRequiredMixin:
    """Refuses anyone outside the booking staff (Wagtail turns the
    PermissionDenied into its "no permission" redirect)."""

    def dispatch(self, request, *args, **kwargs):
        if not is_booking_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# The first and last days Python can hold have no day (or week) before or
# after them to link to: the diary shows days with room for its links.
_DIARY_MARGIN = datetime.timedelta(days=14)


def _parse_date(value: str | None) -> datetime.date:
    """The day asked for in the address, or today when it is not one the
    diary can show."""
    try:
        day = datetime.date.fromisoformat(value or "")
    except ValueError:
        day = None
    if day is None or not (
        datetime.date.min + _DIARY_MARGIN <= day <= datetime.date.max - _DIARY_MARGIN
    ):
        return availability.london_today(timezone.now())
    return day


def _row(item: Booking) -> dict:
    return {
        "booking": item,
        "time": formats.time_range_text(item.start, item.end),
        "adjustments": item.adjustments_requested,
        "url": url("booking", item.pk),
    }


class DayView(BookingStaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "appointments/admin/day.html"
    header_icon = "date"

    @cached_property
    def day(self) -> datetime.date:
        return _parse_date(self.request.GET.get("date"))

    def get_page_title(self):
        return _("Appointments on %(day)s") % {"day": formats.date_text(self.day)}

    def get(self, request, *args, **kwargs):
        # The diary shows each appointment's request and adjustments: a read.
        record(
            action="appointments.diary.viewed",
            reason=VIEW_PURPOSE,
            request=request,
            data={"from": self.day.isoformat(), "to": self.day.isoformat()},
        )
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = self.day
        one = datetime.timedelta(days=1)
        context.update(
            day=day,
            rows=[_row(b) for b in selectors.bookings_between(day, day)],
            previous_url=f"{url('day')}?date={(day - one).isoformat()}",
            next_url=f"{url('day')}?date={(day + one).isoformat()}",
            week_url=f"{url('week')}?start={day.isoformat()}",
        )
        return context


class WeekView(BookingStaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "appointments/admin/week.html"
    header_icon = "date"

    @cached_property
    def monday(self) -> datetime.date:
        day = _parse_date(self.request.GET.get("start"))
        return day - datetime.timedelta(days=day.weekday())

    def get_page_title(self):
        return _("Appointments in the week of %(day)s") % {"day": formats.date_text(self.monday)}

    def get(self, request, *args, **kwargs):
        sunday = self.monday + datetime.timedelta(days=6)
        record(
            action="appointments.diary.viewed",
            reason=VIEW_PURPOSE,
            request=request,
            data={"from": self.monday.isoformat(), "to": sunday.isoformat()},
        )
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        monday = self.monday
        sunday = monday + datetime.timedelta(days=6)
        by_day: dict[datetime.date, list[dict]] = {
            monday + datetime.timedelta(days=n): [] for n in range(7)
        }
        for item in selectors.bookings_between(monday, sunday):
            by_day[item.start.astimezone(availability.LONDON).date()].append(_row(item))
        week = datetime.timedelta(days=7)
        context.update(
            days=[
                {
                    "day": day,
                    "label": formats.date_text(day),
                    "rows": rows,
                    "day_url": f"{url('day')}?date={day.isoformat()}",
                }
                for day, rows in by_day.items()
            ],
            previous_url=f"{url('week')}?start={(monday - week).isoformat()}",
            next_url=f"{url('week')}?start={(monday + week).isoformat()}",
        )
        return context


class BookingMixin(BookingStaffRequiredMixin):
    @cached_property
    def booking(self) -> Booking:
        try:
            return Booking.objects.select_related("request", "location", "staff__user").get(
                pk=self.kwargs["pk"]
            )
        except Booking.DoesNotExist:
            raise Http404("No such appointment.") from None

    def day_breadcrumb(self) -> dict:
        day = self.booking.start.astimezone(availability.LONDON).date()
        return {"url": f"{url('day')}?date={day.isoformat()}", "label": formats.date_text(day)}


class BookingDetailView(BookingMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "appointments/admin/booking.html"
    header_icon = "date"

    def get_page_title(self):
        return _("Appointment, %(when)s") % {
            "when": formats.when_text(self.booking.start, self.booking.end)
        }

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            self.day_breadcrumb(),
            {"url": "", "label": _("Appointment")},
        ]

    def get(self, request, *args, **kwargs):
        record(
            action="appointments.booking.viewed",
            obj=self.booking,
            reason=VIEW_PURPOSE,
            request=request,
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.booking
        started = timezone.now() >= item.start
        is_booked = item.status == BookingStatus.BOOKED
        context.update(
            booking=item,
            time=formats.when_text(item.start, item.end),
            adjustments=item.adjustments_requested,
            may_mark=is_booked and started,
            may_cancel=is_booked,
            attended_url=url("attended", item.pk),
            no_show_url=url("no_show", item.pk),
            cancel_url=url("cancel", item.pk),
        )
        return context


class MarkView(BookingMixin, View):
    """POST only: mark the appointment attended or not attended."""

    http_method_names = ["post"]
    step = None
    done = {
        "attended": gettext_lazy("Marked as attended."),
        "no_show": gettext_lazy("Marked as did not attend."),
    }

    def post(self, request, *args, **kwargs):
        if self.step == "attended":
            act = booking.booking_mark_attended
        else:
            act = booking.booking_mark_no_show
        try:
            act(booking=self.booking, actor=request.user, http_request=request)
        except booking.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.done[self.step])
        return redirect(url("booking", self.booking.pk))


class CancelView(BookingMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "appointments/admin/cancel.html"
    form_class = StaffCancelForm
    header_icon = "date"

    def get_page_title(self):
        return _("Cancel the appointment")

    def get(self, request, *args, **kwargs):
        record(
            action="appointments.booking.viewed",
            obj=self.booking,
            reason=VIEW_PURPOSE,
            request=request,
        )
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            self.day_breadcrumb(),
            {"url": url("booking", self.booking.pk), "label": _("Appointment")},
            {"url": "", "label": self.get_page_title()},
        ]

    def form_valid(self, form):
        try:
            booking.slot_cancel(
                booking=self.booking,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                http_request=self.request,
            )
        except booking.BookingError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The appointment is cancelled. The parent has been emailed to say so."),
        )
        return redirect(url("booking", self.booking.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            booking=self.booking,
            time=formats.when_text(self.booking.start, self.booking.end),
            booking_url=url("booking", self.booking.pk),
        )
        return context
