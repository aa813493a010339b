"""The emails about an appointment, sent through ``portal.notifications``
(the one way the portal emails anyone, with its idempotency keys and audit).

They say when and where, and nothing else: no names, no reference, no
adjustments. Booked, changed and cancelled emails carry the calendar invite
(``appointments.ics``). The details are built when the email is sent, from
the booking's id, so a queued email always tells the booking as it is.
"""

from __future__ import annotations

from portal.notifications.email import (
    Attachment,
    NoticeDetails,
    enqueue_notice,
    register_notice,
    send_notice,
)

# Template -> subject. Templates: appointments/templates/notifications/.
NOTICES = {
    "appointment_booked": "Your appointment is booked",
    "appointment_changed": "Your appointment has changed",
    "appointment_cancelled": "Your appointment is cancelled",
    "appointment_reminder": "Reminder: your appointment",
}
# These carry the invite (a reminder does not: the event is already there).
WITH_INVITE = {"appointment_booked", "appointment_changed", "appointment_cancelled"}


def notice_key(booking, template: str, suffix: str = "") -> str:
    """Once per booking, notice and version of the booking (its SEQUENCE): a
    retried task sends nothing twice, and a change is told again."""
    key = f"appointment:{booking.pk}:{template}:{booking.sequence}"
    return f"{key}:{suffix}" if suffix else key


def booking_details(booking_id: int, template: str) -> NoticeDetails:
    """The time and place of booking ``booking_id`` for its email, and the
    invite (REQUEST, or CANCEL once cancelled)."""
    from appointments import formats, ics
    from appointments.models import Booking

    booking = Booking.objects.select_related("location").get(pk=booking_id)
    location = booking.location
    context = {
        "when": formats.when_text(booking.start, booking.end),
        "date": formats.date_text(booking.start),
        "time": formats.time_range_text(booking.start, booking.end),
        "place": location.name,
        "address_lines": [line.strip() for line in location.address.splitlines() if line.strip()],
        "instructions": location.instructions,
        "kind": location.kind,
    }
    attachments = ()
    if template in WITH_INVITE:
        method = ics.method_for(booking)
        attachments = (
            Attachment(
                filename="cancel.ics" if method == ics.CANCEL else "invite.ics",
                content=ics.booking_ics(booking),
                mimetype="text/calendar",
                params=(("method", method),),
            ),
        )
    return NoticeDetails(context=context, attachments=attachments)


def register() -> None:
    """Called from ``AppointmentsConfig.ready``."""
    for template, subject in NOTICES.items():
        register_notice(template=template, subject=subject, details=booking_details)


def enqueue_booking_notice(*, booking, template: str) -> None:
    """Queue ``template`` to the requester once the transaction commits."""
    enqueue_notice(
        user=booking.request.requester,
        template=template,
        key=notice_key(booking, template),
        object_id=booking.pk,
    )


def send_reminder(*, booking, kind: str) -> None:
    """Send one reminder now (from the reminders task), at most once per
    booking, kind and SEQUENCE."""
    send_notice(
        user_id=booking.request.requester_id,
        template="appointment_reminder",
        key=notice_key(booking, "appointment_reminder", kind),
        object_id=booking.pk,
    )
