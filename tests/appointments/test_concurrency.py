"""No double booking under load: 50 parents booking the same time at the same
moment, each in its own thread with its own database connection, through the
domain function the booking page calls. Exactly one gets it; the other 49 are
told "That time has just been taken", and nothing else escapes.

PostgreSQL only: that is where concurrent transactions really interleave (and
where the row lock and the exclusion constraint are in play). On SQLite a
write transaction locks the whole database, so the threads would only queue
up one behind another."""

import threading

import pytest
from django.db import connection, connections

from appointments.booking import TAKEN, BookingError, slot_book
from appointments.models import Booking, BookingStatus
from sar.models import Delivery
from tests.appointments.conftest import NOW, WEDNESDAY, at

pytestmark = [
    # serialized_rollback, as every transactional test (tests/conftest.py says why).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "Concurrent booking needs PostgreSQL: SQLite serialises every write "
            "transaction, so there is no race to test (run with DATABASE_URL=postgres://...)."
        ),
    ),
]

PARENTS = 50


def test_fifty_parents_booking_one_time_at_once_get_one_booking(
    make_user, submit, office, staff, settings
):
    # The on-commit acknowledgement and booking emails stay in this process.
    start = at(WEDNESDAY, 10, 15)
    people = [make_user() for _ in range(PARENTS)]
    requests = [submit(person, delivery=Delivery.APPOINTMENT) for person in people]

    barrier = threading.Barrier(PARENTS)
    results: list[object] = [None] * PARENTS

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            made = slot_book(
                access_request=requests[index],
                location=office,
                start=start,
                actor=people[index],
                now=NOW,
            )
            results[index] = ("booked", made.pk)
        except BookingError as error:
            results[index] = ("refused", error.message)
        except Exception as error:  # noqa: BLE001 - the test reports anything else
            results[index] = ("error", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(PARENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    errors = [r for r in results if r is None or r[0] == "error"]
    assert not errors, errors
    booked = [r for r in results if r[0] == "booked"]
    refused = [r[1] for r in results if r[0] == "refused"]
    assert len(booked) == 1
    assert refused == [TAKEN] * (PARENTS - 1)
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 1
    assert Booking.objects.get().pk == booked[0][1]


def _waiting_for_the_audit_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


def test_cancelling_while_another_booking_commits_is_no_deadlock(
    make_user, submit, office, staff, parent
):
    """Found by the load test (tests/load): a cancel locked the location's row
    with the booking's, then waited for the audit chain's lock, held by a
    booking at the same place whose commit needed that location row."""
    import time

    from appointments.booking import slot_cancel
    from portal.audit.events import record

    to_cancel = slot_book(
        access_request=submit(parent, delivery=Delivery.APPOINTMENT),
        location=office,
        start=at(WEDNESDAY, 9),
        actor=parent,
        now=NOW,
    )
    other = make_user()
    other_request = submit(other, delivery=Delivery.APPOINTMENT)
    audited = threading.Event()
    outcome: dict[str, object] = {}

    def booking_that_commits_last():
        from django.db import transaction

        try:
            with transaction.atomic():
                record(action="test.booking", actor=other, obj=other_request)  # takes the lock
                Booking.objects.create(
                    request=other_request,
                    location=office,
                    staff=staff,
                    start=at(WEDNESDAY, 11, 30),
                    end=at(WEDNESDAY, 12, 30),
                    booked_by=other,
                )
                audited.set()
                deadline = time.monotonic() + 30
                while not _waiting_for_the_audit_lock() and time.monotonic() < deadline:
                    time.sleep(0.05)
            outcome["booking"] = "committed"
        except Exception as error:  # noqa: BLE001 - reported below
            outcome["booking"] = repr(error)
        finally:
            connections.close_all()

    def cancel():
        try:
            assert audited.wait(timeout=30)
            slot_cancel(booking=to_cancel, actor=parent, now=NOW)
            outcome["cancel"] = "cancelled"
        except Exception as error:  # noqa: BLE001 - reported below
            outcome["cancel"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=booking_that_commits_last), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcome == {"booking": "committed", "cancel": "cancelled"}
