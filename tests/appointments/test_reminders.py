"""Reminders 2 working days and 1 day before, each sent once, by the task the
django-q2 schedule runs."""

import datetime

import pytest
from django_q.models import Schedule

from appointments import reminders
from appointments.availability import LONDON, UTC
from appointments.booking import slot_book, slot_cancel, slot_reschedule
from appointments.reminders import ONE_DAY, TWO_WORKING_DAYS, reminder_moments
from appointments.tasks import send_due_reminders
from portal.notifications.models import SentNotification
from tests.appointments.conftest import NOW, WEDNESDAY, at

D = datetime.date


def london(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


@pytest.mark.parametrize(
    ("start", "two_working_days", "one_day"),
    [
        # Wednesday: Monday 9am, Tuesday at the same time.
        (london(WEDNESDAY, 10, 15), london(D(2027, 3, 22), 9), london(D(2027, 3, 23), 10, 15)),
        # Monday: the Thursday before (over the weekend), Sunday.
        (london(D(2027, 3, 15), 9), london(D(2027, 3, 11), 9), london(D(2027, 3, 14), 9)),
        # Wednesday after Easter: Tuesday 30 and Thursday 25 are the working
        # days before it; Good Friday and Easter Monday are skipped.
        (london(D(2027, 3, 31), 11), london(D(2027, 3, 25), 9), london(D(2027, 3, 30), 11)),
        # Tuesday after Easter Monday: two working days back is Wednesday 24th.
        (london(D(2027, 3, 30), 9), london(WEDNESDAY, 9), london(D(2027, 3, 29), 9)),
    ],
    ids=["midweek", "after-a-weekend", "after-easter", "after-easter-monday"],
)
def test_reminder_moments(start, two_working_days, one_day):
    moments = reminder_moments(start.astimezone(UTC))

    assert moments[TWO_WORKING_DAYS] == two_working_days
    assert moments[ONE_DAY] == one_day


def test_the_day_before_keeps_the_wall_clock_time_across_the_change():
    start = london(D(2027, 3, 28), 9)  # 09:00 BST on the day the clocks go forward

    moments = reminder_moments(start.astimezone(UTC))

    assert moments[ONE_DAY] == london(D(2027, 3, 27), 9)  # 09:00 GMT
    assert start - moments[ONE_DAY] == datetime.timedelta(hours=23)


@pytest.mark.django_db
class TestSendingDueReminders:
    @pytest.fixture
    def made(self, bookable_request, parent, office, staff):
        # Booked on Monday 22 March for Wednesday 24 March, 10:15.
        return slot_book(
            access_request=bookable_request,
            location=office,
            start=at(WEDNESDAY, 10, 15),
            actor=parent,
            now=NOW,
        )

    def test_nothing_is_due_before_the_first_moment(self, made, mailoutbox):
        assert reminders.send_due_reminders(now=NOW + datetime.timedelta(hours=1)) == 0
        assert mailoutbox == []

    def test_a_reminder_whose_moment_passed_before_booking_is_not_sent(self, made, mailoutbox):
        # Booked at 10:00 on Monday; the 2-working-days reminder was due at 9.
        assert reminders.due_reminder(made, now=NOW) is None
        assert reminders.send_due_reminders(now=at(D(2027, 3, 23), 10)) == 0

    def test_the_day_before_reminder_is_sent_once(self, made, mailoutbox, parent):
        day_before = at(D(2027, 3, 23), 10, 20)

        assert reminders.send_due_reminders(now=day_before) == 1
        assert reminders.send_due_reminders(now=day_before + datetime.timedelta(minutes=15)) == 0

        [message] = mailoutbox
        assert message.to == [parent.email]
        assert message.subject.startswith("Reminder: your appointment")
        assert "Wednesday 24 March 2027, 10:15am to 11:15am" in message.body
        assert "Civic Centre, Room 2" in message.body
        assert parent.full_name not in message.body
        assert made.request.reference not in message.body
        assert message.attachments == []
        assert SentNotification.objects.filter(
            key=f"appointment:{made.pk}:appointment_reminder:0:{ONE_DAY}"
        ).exists()

    def test_both_reminders_for_an_appointment_booked_well_ahead(
        self, bookable_request, parent, office, staff, mailoutbox
    ):
        made = slot_book(
            access_request=bookable_request,
            location=office,
            start=at(D(2027, 4, 7), 9),  # Wednesday
            actor=parent,
            now=NOW,
        )

        assert reminders.send_due_reminders(now=at(D(2027, 4, 5), 9, 5)) == 1
        assert reminders.send_due_reminders(now=at(D(2027, 4, 6), 9, 5)) == 1
        assert reminders.send_due_reminders(now=at(D(2027, 4, 6), 18)) == 0
        keys = set(SentNotification.objects.values_list("key", flat=True))
        assert {
            f"appointment:{made.pk}:appointment_reminder:0:{TWO_WORKING_DAYS}",
            f"appointment:{made.pk}:appointment_reminder:0:{ONE_DAY}",
        } <= keys
        assert len(mailoutbox) == 2

    def test_when_both_are_due_only_the_later_is_sent(
        self, bookable_request, parent, office, staff, mailoutbox
    ):
        slot_book(
            access_request=bookable_request,
            location=office,
            start=at(D(2027, 4, 7), 9),
            actor=parent,
            now=NOW,
        )

        # The schedule did not run for two days.
        assert reminders.send_due_reminders(now=at(D(2027, 4, 6), 12)) == 1
        assert reminders.send_due_reminders(now=at(D(2027, 4, 6), 13)) == 0
        assert len(mailoutbox) == 1

    def test_a_moved_appointment_is_reminded_of_again(self, made, parent, mailoutbox):
        assert reminders.send_due_reminders(now=at(D(2027, 3, 23), 10, 20)) == 1

        slot_reschedule(
            booking=made, start=at(D(2027, 3, 31), 9), actor=parent, now=NOW
        )  # decided on Monday, a week ahead

        assert reminders.send_due_reminders(now=at(D(2027, 3, 30), 9, 5)) == 1
        assert SentNotification.objects.filter(
            key=f"appointment:{made.pk}:appointment_reminder:1:{ONE_DAY}"
        ).exists()

    def test_a_cancelled_appointment_is_not_reminded_of(self, made, parent, mailoutbox):
        slot_cancel(booking=made, actor=parent, now=NOW)

        assert reminders.send_due_reminders(now=at(D(2027, 3, 23), 10, 20)) == 0

    def test_one_failing_email_does_not_stop_the_others(
        self, made, other_request, other_parent, mailoutbox, monkeypatch
    ):
        slot_book(
            access_request=other_request,
            location=made.location,
            start=at(WEDNESDAY, 11, 30),
            actor=other_parent,
            now=NOW,
        )
        real = reminders.send_reminder
        calls = []

        def flaky(*, booking, kind):
            calls.append(booking.pk)
            if booking.pk == made.pk:
                raise ConnectionError("SMTP server unavailable")
            real(booking=booking, kind=kind)

        monkeypatch.setattr(reminders, "send_reminder", flaky)

        assert reminders.send_due_reminders(now=at(D(2027, 3, 23), 11, 35)) == 1
        assert len(calls) == 2

    def test_the_task_runs_the_domain_function(self, made, mailoutbox, time_machine):
        time_machine.move_to(at(D(2027, 3, 23), 10, 20), tick=False)

        assert send_due_reminders() == 1


@pytest.mark.django_db
def test_the_reminder_schedule_exists_every_fifteen_minutes():
    schedule = reminders.ensure_schedule()

    assert Schedule.objects.filter(name=reminders.SCHEDULE_NAME).count() == 1
    assert schedule.func == "appointments.tasks.send_due_reminders"
    assert schedule.schedule_type == Schedule.MINUTES
    assert schedule.minutes == 15
    assert schedule.repeats == -1


@pytest.mark.django_db
def test_ensuring_the_schedule_again_leaves_a_tuned_one_alone():
    schedule = reminders.ensure_schedule()
    Schedule.objects.filter(pk=schedule.pk).update(minutes=5)

    reminders.ensure_schedule()

    assert list(Schedule.objects.filter(name=reminders.SCHEDULE_NAME).values_list("minutes")) == [
        (5,)
    ]
