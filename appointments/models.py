"""Appointments to view records: where they happen, who holds them and when,
the days nobody does, the rules for booking, and the bookings themselves.

Invariants the database can hold are constraints here (each says why). The
rules that need the clock, the calendar or other rows live in
``appointments.availability`` (which times are free) and
``appointments.booking`` (booking, moving, cancelling, marking). Fields
holding personal data are listed in ``appointments.personal_data``.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from appointments.permissions import BookingStaffPermissionPolicy


class LocationKind(models.TextChoices):
    OFFICE = "office", _("At our office")
    VIDEO = "video", _("By video call")
    PHONE = "phone", _("By phone call")


class Location(models.Model):
    """A place an appointment happens: an office (with its address), or a way
    of meeting without travelling (a video call, a phone call). What a parent
    reads in the booking pages and emails: the name, the address and the
    instructions, so none of them may hold personal data."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=LocationKind.choices)
    address = models.TextField(
        _("address"), blank=True, help_text=_("For an office: the full address, one line each.")
    )
    instructions = models.TextField(
        _("what to expect"),
        blank=True,
        help_text=_(
            "Shown to parents and in their emails, e.g. how to find the room, or "
            "that we will email a link for the video call."
        ),
    )
    is_active = models.BooleanField(
        _("taking bookings"),
        default=True,
        help_text=_("Bookings already made are kept when this is turned off."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("address"),
        FieldPanel("instructions"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            # An office without an address would send parents nowhere.
            models.CheckConstraint(
                condition=~Q(kind=LocationKind.OFFICE) | ~Q(address=""),
                name="appointments_location_office_has_address",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def place_text(self) -> str:
        """The place as one line of text (calendar invites, emails)."""
        if self.kind == LocationKind.OFFICE:
            lines = [self.name, *(line.strip() for line in self.address.splitlines())]
            return ", ".join(line for line in lines if line)
        return self.name


class StaffMember(ClusterableModel):
    """A member of staff who sees parents, with their weekly hours at each
    location. Booking locks this row (``select_for_update``) so that two
    bookings for the same person are decided one after the other."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointment_staff",
        verbose_name=_("member of staff"),
        limit_choices_to={"is_staff": True},
    )
    is_active = models.BooleanField(_("taking bookings"), default=True)

    panels = [
        FieldPanel("user"),
        FieldPanel("is_active"),
        InlinePanel("hours", heading=_("Weekly hours"), label=_("Hours")),
    ]

    class Meta:
        ordering = ["user__full_name", "user__email"]
        verbose_name = _("member of staff")
        verbose_name_plural = _("staff and hours")

    def __str__(self):
        return self.user.get_full_name() or self.user.email


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """When one member of staff sees parents at one location on one day of the
    week, in Europe/London wall-clock time. Slots are cut from these hours by
    ``appointments.availability``."""

    staff = ParentalKey(
        StaffMember, on_delete=models.CASCADE, related_name="hours", verbose_name=_("staff")
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="hours", verbose_name=_("location")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("from"))
    closes = models.TimeField(_("until"))

    panels = [
        FieldPanel("location"),
        FieldPanel("weekday"),
        FieldPanel("opens"),
        FieldPanel("closes"),
    ]

    class Meta:
        ordering = ["staff", "weekday", "opens"]
        verbose_name = _("hours")
        verbose_name_plural = _("hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="appointments_hours_close_after_open"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="appointments_hours_weekday"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(models.Model):
    """Days when no appointments are offered: leave, training days, an office
    closed for repairs. For everyone everywhere, or only one member of staff,
    or only one location (or one member of staff at one location). Bank
    holidays need no closure: they are closed automatically."""

    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("member of staff"),
        help_text=_("Leave empty for everyone."),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("location"),
        help_text=_("Leave empty for every location."),
    )
    reason = models.CharField(
        _("reason"), max_length=200, blank=True, help_text=_("Seen by staff only.")
    )

    panels = [
        FieldPanel("starts_on"),
        FieldPanel("ends_on"),
        FieldPanel("staff"),
        FieldPanel("location"),
        FieldPanel("reason"),
    ]

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="appointments_closure_ends_after_start",
            ),
        ]

    def __str__(self):
        if self.starts_on == self.ends_on:
            return f"{self.starts_on:%-d %b %Y}"
        return f"{self.starts_on:%-d %b %Y} to {self.ends_on:%-d %b %Y}"


@register_setting(icon="date")
class BookingSettings(BaseGenericSetting):
    """The service's booking rules, edited in the admin (Settings > Booking
    rules). One row for the whole service."""

    slot_minutes = models.PositiveSmallIntegerField(
        _("appointment length (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("gap between appointments (minutes)"),
        default=15,
        validators=[MaxValueValidator(120)],
    )
    notice_working_days = models.PositiveSmallIntegerField(
        _("minimum notice (working days)"),
        default=2,
        validators=[MaxValueValidator(20)],
        help_text=_("0 lets parents book later today."),
    )
    horizon_weeks = models.PositiveSmallIntegerField(
        _("how far ahead parents can book (weeks)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    change_cutoff_hours = models.PositiveSmallIntegerField(
        _("changes and cancellations online until (hours before)"),
        default=24,
        validators=[MaxValueValidator(336)],
        help_text=_("After this, parents are asked to contact the service."),
    )

    panels = [
        FieldPanel("slot_minutes"),
        FieldPanel("buffer_minutes"),
        FieldPanel("notice_working_days"),
        FieldPanel("horizon_weeks"),
        FieldPanel("change_cutoff_hours"),
    ]

    class Meta:
        verbose_name = _("booking rules")
        verbose_name_plural = _("booking rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=15, slot_minutes__lte=240),
                name="appointments_settings_slot_length",
            ),
            models.CheckConstraint(
                condition=Q(horizon_weeks__gte=1), name="appointments_settings_horizon"
            ),
        ]

    @classmethod
    def get_permission_policy(cls):
        return BookingStaffPermissionPolicy(cls)

    def __str__(self):
        return str(_("Booking rules"))


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not attend")


def new_ics_uid() -> str:
    # Stable for the life of the booking: calendar apps match later updates
    # and cancellations to the event by it. Random, so it says nothing.
    return f"{uuid.uuid4()}@appointments.sendiass"


class Booking(models.Model):
    """One appointment for one access request, with one member of staff at one
    location, from ``start`` to ``end`` (stored in UTC, shown in London time).

    No double booking: one member of staff holds at most one booked
    appointment at any moment. ``appointments_booking_one_per_staff_start``
    below holds that on every database for the same start; on PostgreSQL an
    exclusion constraint over the time range (``appointments_booking_no_overlap``,
    added by migration 0002 only there, since SQLite has no such thing) holds
    it for any overlap. ``appointments.booking`` decides with the member of
    staff's row locked and turns a violation into "That time has just been
    taken".

    ``ics_uid`` never changes; ``sequence`` goes up on every change, so a
    calendar app replaces the event (or removes it) rather than adding another.
    """

    request = models.ForeignKey(
        "sar.AccessRequest",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("request"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("location")
    )
    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("member of staff"),
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    # Reasonable adjustments, shown to staff.
    interpreter_language = models.CharField(
        _("interpreter needed for"),
        max_length=100,
        blank=True,
        help_text=_("Empty when no interpreter is needed."),
    )
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    quiet_room = models.BooleanField(_("quiet room"), default=False)
    longer_slot = models.BooleanField(_("longer appointment"), default=False)
    ics_uid = models.CharField(_("calendar UID"), max_length=100, unique=True, default=new_ics_uid)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("booked by"),
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    created_at = models.DateTimeField(_("booked"), default=timezone.now)
    # When the time was last set (booked or moved): reminders whose moment
    # came before this are not sent (the parent has just been told).
    scheduled_at = models.DateTimeField(_("time last set"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["status", "start"], name="appointments_status_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appointments_booking_ends_after_start"
            ),
            # No double booking, on every database: one booked appointment per
            # member of staff per start time (overlaps: see the docstring).
            models.UniqueConstraint(
                fields=["staff", "start"],
                condition=Q(status=BookingStatus.BOOKED),
                name="appointments_booking_one_per_staff_start",
            ),
            # One appointment in the diary per request at a time: a second one
            # is a change of the first.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status=BookingStatus.BOOKED),
                name="appointments_booking_one_booked_per_request",
            ),
            models.CheckConstraint(
                condition=Q(status=BookingStatus.CANCELLED) | Q(cancel_reason=""),
                name="appointments_booking_reason_only_when_cancelled",
            ),
            models.CheckConstraint(
                condition=Q(status=BookingStatus.CANCELLED, cancelled_by__isnull=False)
                | (~Q(status=BookingStatus.CANCELLED) & Q(cancelled_by__isnull=True)),
                name="appointments_booking_cancelled_by_iff_cancelled",
            ),
        ]

    def __str__(self):
        return f"{self.request.reference} at {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    @property
    def adjustments_requested(self) -> list[str]:
        """The adjustments asked for, in words, for staff screens."""
        items = []
        if self.interpreter_language:
            items.append(
                str(_("Interpreter (%(language)s)") % {"language": self.interpreter_language})
            )
        if self.step_free_access:
            items.append(str(_("Step-free access")))
        if self.quiet_room:
            items.append(str(_("Quiet room")))
        if self.longer_slot:
            items.append(str(_("Longer appointment")))
        return items
