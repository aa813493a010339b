"""Booking, moving, cancelling and marking appointments: the one door for
every change to a ``Booking``, used by the parent's pages and the staff
screens alike.

Each function locks what it decides on, checks, writes, records an audit
event and (for changes the parent must hear about) queues an email with a
calendar invite once the transaction commits.

No double booking: the member of staff's row is locked (``select_for_update``,
which serialises bookings for one person on PostgreSQL; SQLite takes its
write lock when the transaction starts), the time is checked against the free
slots, and the database's constraints (``Booking``'s docstring) refuse
whatever slips past. Either way the person is told ``TAKEN``.

Whether a request may have an appointment is ``can_book``: a request the
parent asked to view at an appointment, or one with a decision made to
release (approved), and with no part of it on safeguarding hold. The parent
is never told about a hold: they read ``NOT_BOOKABLE``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from appointments import availability, selectors
from appointments.models import Booking, BookingSettings, BookingStatus, Location, StaffMember
from appointments.notices import enqueue_booking_notice
from appointments.permissions import is_booking_staff
from portal.audit.events import record
from sar.models import TERMINAL_STATUSES, AccessRequest, CaseStatus, Delivery, SubjectCase

TAKEN = "That time has just been taken. Choose another time."
NOT_AVAILABLE = "That time is not available. Choose another time."
NOT_BOOKABLE = (
    "You cannot book an appointment for this request at the moment. "
    "Contact us if you need to see your records."
)
ALREADY_BOOKED = (
    "You already have an appointment for this request. "
    "You can change or cancel it from your appointments."
)
TOO_LATE_TO_CHANGE = "It is too late to change this appointment online. Contact us to change it."
NOT_BOOKED = "This appointment has already been cancelled or has taken place."
NOT_PERMITTED = "You cannot change this appointment."
REASON_NEEDED = "Enter why the appointment is cancelled."
NOT_STARTED = "An appointment can only be marked once it has started."
LANGUAGE_NEEDED = "Enter the language you need an interpreter for."


class BookingError(Exception):
    """A booking change refused, with a message safe to show to who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SlotTaken(BookingError):
    """Someone else booked the time first."""


class SlotUnavailable(BookingError):
    """The time is not (or no longer) offered: outside hours, closed, too soon."""


class NotBookable(BookingError):
    """The request may not have an appointment now."""


class ChangeRefused(BookingError):
    """The booking is not in a state, or it is too late, for this change."""


@dataclass(frozen=True)
class Adjustments:
    """Reasonable adjustments asked for with a booking. An interpreter is
    needed when ``interpreter_language`` is given."""

    interpreter_language: str = ""
    step_free_access: bool = False
    quiet_room: bool = False
    longer_slot: bool = False


# Eligibility ------------------------------------------------------------------


def can_book(*, access_request: AccessRequest, cases=None) -> bool:
    """Whether ``access_request`` may have an appointment now: not on hold in
    any part, not finished in every part, and either asked to be viewed at an
    appointment or approved for release in some part."""
    cases = list(access_request.cases.all() if cases is None else cases)
    if not cases or any(c.status == CaseStatus.ON_HOLD for c in cases):
        return False
    if all(c.status in TERMINAL_STATUSES for c in cases):
        return False
    return access_request.delivery == Delivery.APPOINTMENT or any(
        c.status == CaseStatus.APPROVED for c in cases
    )


def _check_bookable(access_request: AccessRequest) -> None:
    # Locking the cases makes a safeguarding hold placed at the same moment
    # (sar.workflow locks the case it changes) either land first, and stop
    # this booking, or wait until it is made, and see it.
    cases = list(SubjectCase.objects.select_for_update().filter(request=access_request))
    if not can_book(access_request=access_request, cases=cases):
        raise NotBookable(NOT_BOOKABLE)


def _check_actor_for(access_request: AccessRequest, actor) -> bool:
    """Whether ``actor`` acts as the parent (True) or as staff (False);
    anyone else is refused."""
    if actor is not None and actor.pk == access_request.requester_id:
        return True
    if is_booking_staff(actor):
        return False
    raise ChangeRefused(NOT_PERMITTED)


def change_allowed(
    *,
    booking: Booking,
    now: datetime.datetime | None = None,
    rules: BookingSettings | None = None,
) -> bool:
    """Whether the parent may still move or cancel ``booking`` online: it is
    booked and starts more than the cut-off from now. A page listing many
    bookings passes the booking ``rules`` it has loaded once."""
    now = now or timezone.now()
    if booking.status != BookingStatus.BOOKED:
        return False
    rules = rules or BookingSettings.load()
    cutoff = datetime.timedelta(hours=rules.change_cutoff_hours)
    return now < booking.start - cutoff


def _check_parent_may_change(booking: Booking, now) -> None:
    if booking.status != BookingStatus.BOOKED:
        raise ChangeRefused(NOT_BOOKED)
    if not change_allowed(booking=booking, now=now):
        raise ChangeRefused(TOO_LATE_TO_CHANGE)


def _clean_adjustments(adjustments: Adjustments) -> Adjustments:
    language = " ".join(adjustments.interpreter_language.split())
    return Adjustments(
        interpreter_language=language[:100],
        step_free_access=adjustments.step_free_access,
        quiet_room=adjustments.quiet_room,
        longer_slot=adjustments.longer_slot,
    )


# Finding and holding a time -----------------------------------------------------


def _candidates(
    *, location: Location, start: datetime.datetime, longer: bool, now, exclude_booking_id=None
) -> list[availability.Slot]:
    """The free slots starting at ``start`` at ``location``, one per member of
    staff who could take it; raises when nobody could (taken or not offered)."""
    free = selectors.free_slots(
        location=location,
        longer=longer,
        now=now,
        day=start.astimezone(availability.LONDON).date(),
        exclude_booking_id=exclude_booking_id,
    )
    matching = [s for s in free if s.start == start]
    if matching:
        return matching
    # Not free: was it offered at all (then someone has just taken it)?
    offered = selectors.free_slots(
        location=location,
        longer=longer,
        now=now,
        day=start.astimezone(availability.LONDON).date(),
        ignore_bookings=True,
    )
    if any(s.start == start for s in offered):
        raise SlotTaken(TAKEN)
    raise SlotUnavailable(NOT_AVAILABLE)


def _hold_slot(
    *, location: Location, start: datetime.datetime, longer: bool, now, exclude_booking_id=None
) -> availability.Slot:
    """Lock a member of staff who is free at ``start`` and return their slot.
    Must run inside a transaction; the lock lasts until it ends."""
    candidates = _candidates(
        location=location,
        start=start,
        longer=longer,
        now=now,
        exclude_booking_id=exclude_booking_id,
    )
    for candidate in candidates:
        # The lock, then the check again: whoever held the lock before may
        # just have booked this person at this time.
        StaffMember.objects.select_for_update().get(pk=candidate.staff_id)
        fresh = selectors.free_slots(
            location=location,
            longer=longer,
            now=now,
            day=candidate.local_date,
            staff_ids=[candidate.staff_id],
            exclude_booking_id=exclude_booking_id,
        )
        if any(s.start == start for s in fresh):
            return candidate
    raise SlotTaken(TAKEN)


def _save_or_taken(booking: Booking, **save_kwargs) -> None:
    """Save in a savepoint; a constraint refusing it means the time was taken
    (or, for a new booking, the request already has one)."""
    try:
        with transaction.atomic():
            booking.save(**save_kwargs)
    except IntegrityError:
        if (
            booking.status == BookingStatus.BOOKED
            and Booking.objects.filter(request_id=booking.request_id, status=BookingStatus.BOOKED)
            .exclude(pk=booking.pk)
            .exists()
        ):
            raise ChangeRefused(ALREADY_BOOKED) from None
        raise SlotTaken(TAKEN) from None


def _event_data(booking: Booking) -> dict:
    # Identifiers and times only: adjustments can reveal a disability or a
    # first language, so they stay out of the trail's data.
    return {
        "request": booking.request.reference,
        "start": booking.start.astimezone(availability.UTC).isoformat(),
        "end": booking.end.astimezone(availability.UTC).isoformat(),
        "location": booking.location_id,
        "staff": booking.staff_id,
        "sequence": booking.sequence,
        "status": booking.status,
    }


# The steps ----------------------------------------------------------------------


def slot_book(
    *,
    access_request: AccessRequest,
    location: Location,
    start: datetime.datetime,
    actor,
    adjustments: Adjustments | None = None,
    now: datetime.datetime | None = None,
    http_request=None,
) -> Booking:
    """Book the free time ``start`` at ``location`` for ``access_request``,
    with whichever member of staff is free then. Raises ``SlotTaken`` (TAKEN)
    when someone else got there first, including when the database refuses
    the row; ``SlotUnavailable``, ``NotBookable`` or ``ChangeRefused``
    otherwise."""
    now = now or timezone.now()
    adjustments = _clean_adjustments(adjustments or Adjustments())
    if timezone.is_naive(start):
        raise SlotUnavailable(NOT_AVAILABLE)
    try:
        with transaction.atomic():
            access_request = AccessRequest.objects.get(pk=access_request.pk)
            _check_actor_for(access_request, actor)
            _check_bookable(access_request)
            if access_request.bookings.filter(status=BookingStatus.BOOKED).exists():
                raise ChangeRefused(ALREADY_BOOKED)
            if not location.is_active:
                raise SlotUnavailable(NOT_AVAILABLE)
            slot = _hold_slot(
                location=location, start=start, longer=adjustments.longer_slot, now=now
            )
            booking = Booking(
                request=access_request,
                location=location,
                staff_id=slot.staff_id,
                start=slot.start,
                end=slot.end,
                interpreter_language=adjustments.interpreter_language,
                step_free_access=adjustments.step_free_access,
                quiet_room=adjustments.quiet_room,
                longer_slot=adjustments.longer_slot,
                booked_by=actor,
                created_at=now,
                scheduled_at=now,
            )
            _save_or_taken(booking)
            record(
                action="appointments.booking.booked",
                actor=actor,
                obj=booking,
                request=http_request,
                data=_event_data(booking),
            )
            enqueue_booking_notice(booking=booking, template="appointment_booked")
    except IntegrityError:
        # The commit itself refused (a deferred check): the same answer.
        raise SlotTaken(TAKEN) from None
    return booking


def slot_reschedule(
    *,
    booking: Booking,
    start: datetime.datetime,
    actor,
    now: datetime.datetime | None = None,
    http_request=None,
) -> Booking:
    """Move ``booking`` to the free time ``start`` at the same location (with
    whoever is free then). The calendar event is the same one, updated: same
    UID, next SEQUENCE. A parent may do this until the cut-off; staff any time
    before it starts."""
    now = now or timezone.now()
    if timezone.is_naive(start):
        raise SlotUnavailable(NOT_AVAILABLE)
    with transaction.atomic():
        booking = (
            # The booking's row only: joined rows locked too (the location,
            # the request) would deadlock with a booking whose commit checks
            # its foreign keys while this waits for the audit chain's lock.
            Booking.objects.select_for_update(of=("self",))
            .select_related("request", "location")
            .get(pk=booking.pk)
        )
        as_parent = _check_actor_for(booking.request, actor)
        if as_parent:
            _check_parent_may_change(booking, now)
        elif booking.status != BookingStatus.BOOKED:
            raise ChangeRefused(NOT_BOOKED)
        _check_bookable(booking.request)
        slot = _hold_slot(
            location=booking.location,
            start=start,
            longer=booking.longer_slot,
            now=now,
            exclude_booking_id=booking.pk,
        )
        moved_from = booking.start
        booking.staff_id = slot.staff_id
        booking.start = slot.start
        booking.end = slot.end
        booking.sequence += 1
        booking.scheduled_at = now
        _save_or_taken(booking)
        record(
            action="appointments.booking.rescheduled",
            actor=actor,
            obj=booking,
            request=http_request,
            data={**_event_data(booking), "moved_from": moved_from.isoformat()},
        )
        enqueue_booking_notice(booking=booking, template="appointment_changed")
    return booking


def slot_cancel(
    *,
    booking: Booking,
    actor,
    reason: str = "",
    now: datetime.datetime | None = None,
    http_request=None,
) -> Booking:
    """Cancel ``booking``; its time is free again at once. A parent may do this
    until the cut-off (no reason needed); staff any time, with a reason. The
    parent is emailed a calendar cancellation (METHOD:CANCEL) either way."""
    now = now or timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        booking = (
            # The booking's row only: joined rows locked too (the location,
            # the request) would deadlock with a booking whose commit checks
            # its foreign keys while this waits for the audit chain's lock.
            Booking.objects.select_for_update(of=("self",))
            .select_related("request", "location")
            .get(pk=booking.pk)
        )
        as_parent = _check_actor_for(booking.request, actor)
        if as_parent:
            _check_parent_may_change(booking, now)
        else:
            if booking.status != BookingStatus.BOOKED:
                raise ChangeRefused(NOT_BOOKED)
            if not reason:
                raise ChangeRefused(REASON_NEEDED)
        booking.status = BookingStatus.CANCELLED
        booking.cancel_reason = reason
        booking.cancelled_by = actor
        booking.sequence += 1
        booking.save()
        record(
            action="appointments.booking.cancelled",
            actor=actor,
            obj=booking,
            reason=reason,
            request=http_request,
            data={**_event_data(booking), "by": "parent" if as_parent else "staff"},
        )
        enqueue_booking_notice(booking=booking, template="appointment_cancelled")
    return booking


def bookings_cancel_by_service(
    *,
    access_request: AccessRequest,
    actor,
    reason: str,
    now: datetime.datetime | None = None,
) -> list[Booking]:
    """Cancel every upcoming appointment of ``access_request`` because the
    service has stopped the request (a safeguarding hold: ``sar.safeguarding``,
    which decides who may, and calls this in its own transaction). The parent
    gets the ordinary cancellation email and calendar cancellation, which
    never give a reason; ``reason`` is what staff read on the booking, so it
    must be neutral too. Returns the bookings cancelled."""
    now = now or timezone.now()
    cancelled = []
    with transaction.atomic():
        bookings = (
            Booking.objects.select_for_update()
            .select_related("request", "location")
            .filter(request=access_request, status=BookingStatus.BOOKED, start__gt=now)
            .order_by("start", "id")
        )
        for booking in bookings:
            booking.status = BookingStatus.CANCELLED
            booking.cancel_reason = reason
            booking.cancelled_by = actor
            booking.sequence += 1
            booking.save()
            record(
                action="appointments.booking.cancelled",
                actor=actor,
                obj=booking,
                reason=reason,
                data={**_event_data(booking), "by": "service"},
            )
            enqueue_booking_notice(booking=booking, template="appointment_cancelled")
            cancelled.append(booking)
    return cancelled


def _mark(*, booking: Booking, actor, status: str, now, http_request) -> Booking:
    now = now or timezone.now()
    if not is_booking_staff(actor):
        raise ChangeRefused(NOT_PERMITTED)
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("request")
            .get(pk=booking.pk)
        )
        if booking.status != BookingStatus.BOOKED:
            raise ChangeRefused(NOT_BOOKED)
        if now < booking.start:
            raise ChangeRefused(NOT_STARTED)
        booking.status = status
        booking.save(update_fields=["status", "updated_at"])
        record(
            action=f"appointments.booking.{status}",
            actor=actor,
            obj=booking,
            request=http_request,
            data=_event_data(booking),
        )
    return booking


def booking_mark_attended(
    *, booking: Booking, actor, now: datetime.datetime | None = None, http_request=None
) -> Booking:
    """Record that the parent came (staff, once the appointment has started)."""
    return _mark(
        booking=booking,
        actor=actor,
        status=BookingStatus.ATTENDED,
        now=now,
        http_request=http_request,
    )


def booking_mark_no_show(
    *, booking: Booking, actor, now: datetime.datetime | None = None, http_request=None
) -> Booking:
    """Record that the parent did not come (staff, once it has started)."""
    return _mark(
        booking=booking,
        actor=actor,
        status=BookingStatus.NO_SHOW,
        now=now,
        http_request=http_request,
    )
