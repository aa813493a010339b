"""The parent's appointment pages: book (which request, how, what you need,
which day, which time, check, done), see your appointments, change the time,
cancel. Thin: each parses a form, calls one function of
``appointments.booking`` or ``appointments.selectors``, and renders.

Every page needs a verified session and a parent account; every booking is
looked up through ``selectors.booking_for_parent`` (someone else's is a 404).
The answers so far live in the session until the booking is made. A step
reached without the answers before it explains and offers to start again.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments import availability, booking, formats, schedule, selectors
from appointments.forms import (
    AdjustmentsForm,
    DateForm,
    LocationForm,
    RequestChoiceForm,
    TimeForm,
)
from appointments.models import Booking, BookingStatus, Location
from portal.accounts.decorators import personal_page

DRAFT_KEY = "appointments.draft"
ERROR_KEY = "appointments.error"
NO_TIMES_THAT_DAY = "There are no times free on that day now. Choose another day."


class Summary:
    """What the error summary lists: a form's errors and/or a message from
    the domain (``booking.TAKEN`` ...), in the shape of
    ``portal/includes/error_summary.html``."""

    def __init__(self, form=None, message: str = "", href: str = "#main-content"):
        self.form = form
        self.items = [{"href": href, "text": message}] if message else []

    @property
    def errors(self) -> bool:
        return bool(self.items) or bool(self.form is not None and self.form.errors)

    def error_summary_items(self) -> list[dict]:
        form_items = self.form.error_summary_items() if self.form is not None else []
        return [*self.items, *form_items]


def _posted(request):
    """The submitted data on a POST (even an empty one), None otherwise."""
    return request.POST if request.method == "POST" else None


def _question(request, *, form, title: str, back_url: str, button: str = "", summary=None):
    return render(
        request,
        "appointments/question.html",
        {
            "form": form,
            "summary": summary or Summary(form),
            "title": title,
            "back_url": back_url,
            "button": button or _("Continue"),
        },
    )


# The answers so far -------------------------------------------------------------


def _draft(request) -> dict:
    return dict(request.session.get(DRAFT_KEY) or {})


def _save_draft(request, draft: dict) -> None:
    request.session[DRAFT_KEY] = draft


def _draft_request(request, draft):
    """The request being booked for, if it is still the parent's and bookable."""
    return selectors.bookable_request_for_parent(request.user, draft.get("request"))


def _draft_location(draft, current: schedule.Schedule) -> Location | None:
    """The location chosen, if it still takes bookings."""
    return current.location(draft.get("location"))


def _draft_date(draft) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(draft.get("date") or "")
    except ValueError:
        return None


def _draft_start(draft) -> datetime.datetime | None:
    try:
        start = datetime.datetime.fromisoformat(draft.get("start") or "")
    except ValueError:
        return None
    return start if timezone.is_aware(start) else None


def _start_again(request):
    return render(request, "appointments/start_again.html")


def _adjustments(draft) -> booking.Adjustments:
    values = draft.get("adjustments") or {}
    return booking.Adjustments(
        interpreter_language=values.get("interpreter_language", ""),
        step_free_access=bool(values.get("step_free_access")),
        quiet_room=bool(values.get("quiet_room")),
        longer_slot=bool(values.get("longer_slot")),
    )


# Booking ------------------------------------------------------------------------


@personal_page()
def book_start(request):
    """Which request (only asked when there is more than one)."""
    eligible = selectors.requests_to_book_for_parent(request.user)
    if not eligible:
        has_booking = selectors.bookings_for_parent(request.user).filter(
            status=BookingStatus.BOOKED
        )
        return render(
            request, "appointments/cannot_book.html", {"has_booking": has_booking.exists()}
        )
    if len(eligible) == 1 and request.method == "GET":
        _save_draft(request, {"request": eligible[0].reference})
        return redirect("appointments:book_location")
    form = RequestChoiceForm(
        _posted(request), requests=eligible, initial={"request": _draft(request).get("request")}
    )
    if request.method == "POST" and form.is_valid():
        _save_draft(request, {"request": form.cleaned_data["request"]})
        return redirect("appointments:book_location")
    return _question(
        request,
        form=form,
        title=_("Which request is the appointment for?"),
        back_url=reverse("appointments:list"),
    )


@personal_page()
def book_location(request):
    draft = _draft(request)
    if _draft_request(request, draft) is None:
        return _start_again(request)
    locations = list(schedule.current().locations)
    form = LocationForm(
        _posted(request), locations=locations, initial={"location": draft.get("location")}
    )
    if request.method == "POST" and form.is_valid():
        if draft.get("location") != form.cleaned_data["location"]:
            draft.pop("date", None)
            draft.pop("start", None)
        draft["location"] = form.cleaned_data["location"]
        _save_draft(request, draft)
        return redirect(
            "appointments:book_check" if draft.get("start") else "appointments:book_adjustments"
        )
    return _question(
        request,
        form=form,
        title=_("How would you like to have the appointment?"),
        back_url=reverse("appointments:list"),
    )


@personal_page()
def book_adjustments(request):
    draft = _draft(request)
    access_request = _draft_request(request, draft)
    if access_request is None or _draft_location(draft, schedule.current()) is None:
        return _start_again(request)
    # First time here: the interpreter asked for with the request, if any.
    answers = draft.get("adjustments") or {
        "interpreter_language": access_request.interpreter_language
    }
    form = AdjustmentsForm(_posted(request), initial=AdjustmentsForm.initial_for(answers))
    if request.method == "POST" and form.is_valid():
        adjustments = form.adjustments()
        before = _adjustments(draft)
        draft["adjustments"] = {
            "interpreter_language": adjustments.interpreter_language,
            "step_free_access": adjustments.step_free_access,
            "quiet_room": adjustments.quiet_room,
            "longer_slot": adjustments.longer_slot,
        }
        if before.longer_slot != adjustments.longer_slot:
            # A different length changes which times are free.
            draft.pop("start", None)
        _save_draft(request, draft)
        return redirect(
            "appointments:book_check" if draft.get("start") else "appointments:book_date"
        )
    return _question(
        request,
        form=form,
        title=_("Do you need anything to help you at the appointment?"),
        back_url=reverse("appointments:book_location"),
    )


def _date_page(
    request, *, current, location, longer, exclude_booking_id, back_url, initial, on_chosen
):
    slots = selectors.free_slots(
        location=location, longer=longer, exclude_booking_id=exclude_booking_id, schedule=current
    )
    dates = availability.dates_with_slots(slots)
    if not dates:
        return render(
            request,
            "appointments/no_times.html",
            {"location": location, "weeks": current.rules.horizon_weeks, "back_url": back_url},
        )
    form = DateForm(_posted(request), dates=dates, initial={"date": initial})
    if request.method == "POST" and form.is_valid():
        return on_chosen(form.chosen())
    return _question(request, form=form, title=_("Which day would you like?"), back_url=back_url)


@personal_page()
def book_date(request):
    draft = _draft(request)
    current = schedule.current()
    location = _draft_location(draft, current)
    if _draft_request(request, draft) is None or location is None:
        return _start_again(request)

    def chosen(day):
        if draft.get("date") != day.isoformat():
            draft.pop("start", None)
        draft["date"] = day.isoformat()
        _save_draft(request, draft)
        return redirect("appointments:book_time")

    return _date_page(
        request,
        current=current,
        location=location,
        longer=_adjustments(draft).longer_slot,
        exclude_booking_id=None,
        back_url=reverse("appointments:book_adjustments"),
        initial=draft.get("date"),
        on_chosen=chosen,
    )


def _time_page(
    request, *, current, location, longer, day, exclude_booking_id, back_url, initial, button
):
    """The free times on ``day``; returns (response or None, chosen start)."""
    slots = availability.times_on(
        selectors.free_slots(
            location=location,
            longer=longer,
            day=day,
            exclude_booking_id=exclude_booking_id,
            schedule=current,
        ),
        day,
    )
    form = TimeForm(_posted(request), slots=slots, day=day, initial={"start": initial})
    if request.method == "POST" and form.is_valid():
        return None, form.chosen()
    message = request.session.pop(ERROR_KEY, "")
    if not slots:
        message = NO_TIMES_THAT_DAY
    title = _("What time would you like?")
    summary = Summary(form, message=message, href=back_url if not slots else "#start_0")
    response = _question(
        request, form=form, title=title, back_url=back_url, button=button, summary=summary
    )
    return response, None


@personal_page()
def book_time(request):
    draft = _draft(request)
    current = schedule.current()
    location = _draft_location(draft, current)
    day = _draft_date(draft)
    if _draft_request(request, draft) is None or location is None or day is None:
        return _start_again(request)
    response, start = _time_page(
        request,
        current=current,
        location=location,
        longer=_adjustments(draft).longer_slot,
        day=day,
        exclude_booking_id=None,
        back_url=reverse("appointments:book_date"),
        initial=draft.get("start"),
        button=_("Continue"),
    )
    if response is not None:
        return response
    draft["start"] = start.isoformat()
    _save_draft(request, draft)
    return redirect("appointments:book_check")


@personal_page()
def book_check(request):
    draft = _draft(request)
    access_request = _draft_request(request, draft)
    current = schedule.current()
    location = _draft_location(draft, current)
    start = _draft_start(draft)
    if access_request is None or location is None or start is None:
        return _start_again(request)
    adjustments = _adjustments(draft)
    rules = current.rules
    span = 2 * rules.slot + rules.buffer if adjustments.longer_slot else rules.slot
    if request.method == "POST":
        try:
            made = booking.slot_book(
                access_request=access_request,
                location=location,
                start=start,
                adjustments=adjustments,
                actor=request.user,
                http_request=request,
            )
        except (booking.SlotTaken, booking.SlotUnavailable) as error:
            draft.pop("start", None)
            _save_draft(request, draft)
            request.session[ERROR_KEY] = error.message
            return redirect("appointments:book_time")
        except booking.BookingError as error:
            return render(
                request,
                "appointments/check.html",
                {
                    **_check_context(access_request, location, start, span, adjustments),
                    "summary": Summary(message=error.message),
                },
            )
        request.session.pop(DRAFT_KEY, None)
        return redirect("appointments:booked", pk=made.pk)
    return render(
        request,
        "appointments/check.html",
        {**_check_context(access_request, location, start, span, adjustments), "summary": None},
    )


def _check_context(access_request, location, start, span, adjustments) -> dict:
    return {
        "access_request": access_request,
        "location": location,
        "start": start,
        "end": start + span,
        "adjustments": adjustments,
    }


@personal_page(methods=("GET",))
def booked(request, pk):
    """Confirmation of a new booking (or of a change: ``changed``)."""
    item = selectors.booking_for_parent(request.user, pk)
    if item.status != BookingStatus.BOOKED:
        return redirect("appointments:list")
    changed = request.resolver_match.url_name == "changed"
    return render(request, "appointments/booked.html", {"booking": item, "changed": changed})


# Your appointments --------------------------------------------------------------


# How many past and cancelled appointments "your appointments" shows, latest
# first; the page says older ones are not shown.
RECENT_PAST = 5


@personal_page(methods=("GET",))
def appointment_list(request):
    now = timezone.now()
    # One more past than is shown, to know whether there are older ones.
    upcoming, past = selectors.listed_bookings_for_parent(
        request.user, now=now, past_limit=RECENT_PAST + 1
    )
    # The change cut-off matters only to appointments still to come (most
    # visits have none): only then is the schedule read.
    rules = schedule.current().settings if upcoming else None
    return render(
        request,
        "appointments/list.html",
        {
            "upcoming": [
                {
                    "booking": b,
                    "can_change": booking.change_allowed(booking=b, now=now, rules=rules),
                }
                for b in upcoming
            ],
            "past": past[:RECENT_PAST],
            "older_not_shown": len(past) > RECENT_PAST,
            "can_book": selectors.parent_has_request_to_book(request.user),
            "cutoff_hours": rules.change_cutoff_hours if rules else None,
        },
    )


def _too_late(request, item: Booking):
    return render(request, "appointments/too_late.html", {"booking": item})


@personal_page()
def change_date(request, pk):
    item = selectors.booking_for_parent(request.user, pk)
    if not booking.change_allowed(booking=item):
        return _too_late(request, item)

    def chosen(day):
        url = reverse("appointments:change_time", args=[item.pk])
        return redirect(f"{url}?date={day.isoformat()}")

    return _date_page(
        request,
        current=schedule.current(),
        location=item.location,
        longer=item.longer_slot,
        exclude_booking_id=item.pk,
        back_url=reverse("appointments:list"),
        initial=None,
        on_chosen=chosen,
    )


@personal_page()
def change_time(request, pk):
    item = selectors.booking_for_parent(request.user, pk)
    if not booking.change_allowed(booking=item):
        return _too_late(request, item)
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return redirect("appointments:change", pk=item.pk)
    response, start = _time_page(
        request,
        current=schedule.current(),
        location=item.location,
        longer=item.longer_slot,
        day=day,
        exclude_booking_id=item.pk,
        back_url=reverse("appointments:change", args=[item.pk]),
        initial=None,
        button=_("Change appointment"),
    )
    if response is not None:
        return response
    try:
        booking.slot_reschedule(booking=item, start=start, actor=request.user, http_request=request)
    except (booking.SlotTaken, booking.SlotUnavailable) as error:
        request.session[ERROR_KEY] = error.message
        return redirect(request.get_full_path())
    except booking.ChangeRefused:
        return _too_late(request, item)
    except booking.NotBookable as error:
        messages.error(request, error.message)
        return redirect("appointments:list")
    return redirect("appointments:changed", pk=item.pk)


@personal_page()
def cancel(request, pk):
    item = selectors.booking_for_parent(request.user, pk)
    if not booking.change_allowed(booking=item):
        return _too_late(request, item)
    if request.method == "POST":
        try:
            booking.slot_cancel(booking=item, actor=request.user, http_request=request)
        except booking.ChangeRefused:
            return _too_late(request, item)
        messages.success(
            request,
            _("Your appointment on %(when)s is cancelled.")
            % {"when": formats.when_text(item.start, item.end)},
        )
        return redirect("appointments:list")
    return render(request, "appointments/cancel.html", {"booking": item})
