"""Which fields of the ``appointments`` models hold personal data (STYLE.md
§10), in the same shape as ``sar.personal_data``: retention, anonymisation and
export read ``PERSONAL_DATA``; every text, date, time and boolean field is
listed here or in ``NOT_PERSONAL`` (with why), and
``tests/appointments/test_personal_data.py`` fails when one is in neither.

Foreign keys to users and requests are links to people rather than data in
their own right.
"""

PERSONAL_DATA: dict[str, tuple[str, ...]] = {
    "appointments.Booking": (
        # Adjustments can reveal a disability or a first language.
        "interpreter_language",
        "step_free_access",
        "quiet_room",
        "longer_slot",
        # Free text by staff, may say why about the family.
        "cancel_reason",
    ),
    "appointments.Closure": (
        # "Annual leave", "sick": about a member of staff.
        "reason",
    ),
}

NOT_PERSONAL: dict[str, tuple[str, ...]] = {
    # Places and ways to meet, published to every parent.
    "appointments.Location": ("name", "kind", "address", "instructions", "is_active"),
    "appointments.StaffMember": ("is_active",),
    # Working hours of the service (the member of staff is the foreign key).
    "appointments.OpeningHours": ("weekday", "opens", "closes"),
    "appointments.Closure": ("starts_on", "ends_on"),
    "appointments.BookingSettings": (),
    # When and how, not who: the request is the link to the person.
    "appointments.Booking": (
        "start",
        "end",
        "status",
        "ics_uid",
        "created_at",
        "scheduled_at",
        "updated_at",
    ),
}
