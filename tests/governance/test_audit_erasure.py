"""The audit trail's personal fields (reason, IP address) can be erased when
what they are about is disposed of, and the chain still verifies; nothing else
about an event can be changed, by the ORM or by SQL."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from portal.audit import triggers
from portal.audit.events import _append, compute_hash, erase_personal, record, verify_chain
from portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _raw_sql(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def events(django_user_model):
    staff = django_user_model.objects.create_user(
        email="lead@example.org", password="a-long-password-1", is_staff=True
    )
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    return {
        "held": record(
            action="sar.case.place_hold",
            actor=staff,
            object_type="sar.subjectcase",
            object_id=12,
            reason="Concern raised about Alex Example by their school.",
            request=request,
            data={"request": "SAR-2026-00001"},
        ),
        "other": record(
            action="sar.case.viewed",
            actor=staff,
            object_type="sar.subjectcase",
            object_id=13,
            reason="Responding to a right-of-access request",
        ),
    }


def test_erasure_blanks_reason_and_ip_and_the_chain_still_verifies(events):
    result = erase_personal(objects=[("sar.subjectcase", 12)], reason="Disposal")

    held = AuditEvent.objects.get(pk=events["held"].pk)
    assert (held.reason, held.ip_address, held.personal_salt) == ("", None, "")
    # Who, what, when and the identifiers stay.
    assert held.action == "sar.case.place_hold"
    assert held.object_id == "12"
    assert held.data == {"request": "SAR-2026-00001"}
    assert held.hash == events["held"].hash
    # Events about anything else are untouched.
    assert AuditEvent.objects.get(pk=events["other"].pk).reason.startswith("Responding")
    assert result.erased == 1
    assert verify_chain().ok
    erasure = AuditEvent.objects.order_by("-id").first()
    assert erasure.action == "audit.personal_erased"
    assert erasure.data["events_erased"] == 1


def test_erasing_twice_erases_nothing_more(events):
    erase_personal(objects=[("sar.subjectcase", 12)])

    assert erase_personal(objects=[("sar.subjectcase", 12)]).erased == 0
    assert verify_chain().ok


def test_sql_may_not_rewrite_a_reason_or_change_anything_while_erasing(events):
    pk = events["held"].pk
    with pytest.raises(DatabaseError, match="append-only"):
        _raw_sql("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["forged", pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw_sql(
            "UPDATE audit_auditevent SET reason = '', ip_address = NULL, personal_salt = '', "
            "action = %s WHERE id = %s",
            ["forged", pk],
        )
    with pytest.raises(DatabaseError, match="append-only"):
        # Blanking the reason but keeping the salt would pass for "erased"
        # with a digest that no longer matches: refused too.
        _raw_sql("UPDATE audit_auditevent SET reason = '' WHERE id = %s", [pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [pk])
    assert AuditEvent.objects.get(pk=pk).reason.startswith("Concern")


def test_an_event_written_before_erasure_existed_cannot_be_erased(events):
    legacy = AuditEvent(
        action="sar.case.refuse",
        actor_label="system",
        object_type="sar.subjectcase",
        object_id="12",
        reason="Old reason naming Alex Example.",
    )
    _append(legacy)
    assert legacy.personal_digest == ""

    with pytest.raises(DatabaseError, match="append-only"):
        _raw_sql(
            "UPDATE audit_auditevent SET reason = '', personal_salt = '' WHERE id = %s",
            [legacy.pk],
        )
    result = erase_personal(objects=[("sar.subjectcase", 12)])

    assert result.not_erasable == 1
    assert AuditEvent.objects.get(pk=legacy.pk).reason == "Old reason naming Alex Example."
    assert verify_chain().ok


def test_a_reason_rewritten_behind_the_triggers_is_found(events):
    altered = events["held"]
    triggers.drop_triggers(connection)
    try:
        _raw_sql("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["forged", altered.pk])
    finally:
        triggers.create_triggers(connection)

    result = verify_chain()

    assert not result.ok
    assert result.first_broken_id == altered.pk
    assert "digest" in result.message


def test_an_erased_event_given_new_words_is_found(events):
    erase_personal(objects=[("sar.subjectcase", 12)])
    altered = events["held"]
    triggers.drop_triggers(connection)
    try:
        _raw_sql("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["forged", altered.pk])
    finally:
        triggers.create_triggers(connection)

    assert verify_chain().first_broken_id == altered.pk


def test_the_hash_covers_the_digest_not_the_words(events):
    event = AuditEvent.objects.get(pk=events["held"].pk)
    event.reason = "anything else"

    assert compute_hash(event) == event.hash  # the words are checked by their digest
    event.personal_digest = "0" * 64
    assert compute_hash(event) != event.hash
