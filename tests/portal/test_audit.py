import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import Page

from portal.audit import triggers
from portal.audit.events import compute_hash, record, verify_chain
from portal.audit.models import AuditEvent, AuditEventImmutable

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        email="caseworker@example.org", password="a-long-password-1", is_staff=True
    )


@pytest.fixture
def parent(django_user_model):
    return django_user_model.objects.create_user(
        email="parent@example.org", password="a-long-password-1"
    )


@pytest.fixture
def three_events(staff, parent):
    return [
        record(action="account.signed_in", actor=parent),
        record(action="sar.request.submitted", actor=parent, obj=staff, reason="test"),
        record(action="sar.request.approved", actor=staff, data={"step": 2}),
    ]


def _raw_sql(sql, params=()):
    # A savepoint, so a refused statement does not poison the test's
    # transaction on PostgreSQL.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_record_fills_fields_and_chains_hashes(staff, parent):
    first = record(action="account.signed_in", actor=parent)
    second = record(
        action="sar.request.submitted",
        actor=staff,
        obj=parent,
        reason="Identity checked",
        data={"reference": "SAR-2026-00001"},
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.previous_hash == ""
    assert second.previous_hash == first.hash
    assert len(second.hash) == 64
    assert second.actor == staff
    assert first.actor_label == f"parent #{parent.pk}"
    assert second.actor_label == f"staff #{staff.pk}"
    assert second.object_type == "accounts.user"
    assert second.object_id == str(parent.pk)
    assert second.reason == "Identity checked"
    assert second.data == {"reference": "SAR-2026-00001"}
    assert second.timestamp >= first.timestamp
    # The hash still matches once the event has been through the database.
    assert compute_hash(second) == second.hash


def test_record_without_actor_is_the_system():
    event = record(action="sar.clock.reminder", object_type="sar.request", object_id=7)

    assert event.actor is None
    assert event.actor_label == "system"
    assert event.object_id == "7"


def test_actor_label_never_holds_name_or_email(parent):
    parent.first_name = "Alex"
    parent.save()

    event = record(action="account.signed_in", actor=parent)

    assert "Alex" not in event.actor_label
    assert "@" not in event.actor_label


def test_saving_an_existing_event_is_refused(three_events):
    event = AuditEvent.objects.get(pk=three_events[0].pk)
    event.reason = "rewritten"

    with pytest.raises(AuditEventImmutable):
        event.save()


def test_deleting_an_event_is_refused(three_events):
    with pytest.raises(AuditEventImmutable):
        three_events[0].delete()
    assert AuditEvent.objects.count() == 3


def test_queryset_update_delete_and_bulk_update_are_refused(three_events):
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.update(reason="rewritten")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=three_events[0].pk).delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.bulk_update(three_events, ["reason"])
    assert AuditEvent.objects.count() == 3


def test_raw_sql_update_and_delete_are_refused_by_the_database(three_events):
    assert triggers.triggers_exist(connection)

    with pytest.raises(DatabaseError, match="append-only"):
        _raw_sql("UPDATE audit_auditevent SET reason = %s", ["rewritten"])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [three_events[0].pk])

    assert AuditEvent.objects.filter(reason="rewritten").count() == 0
    assert AuditEvent.objects.count() == 3


def test_intact_chain_verifies(three_events, capsys):
    result = verify_chain()

    assert result.ok
    assert result.checked == 3
    call_command("verify_audit_chain")
    assert "Audit chain intact: 3 events checked." in capsys.readouterr().out


def test_altered_event_is_detected(three_events):
    # Tampering as someone with direct database access would: lift the
    # triggers, then rewrite a row. The test's transaction is rolled back at
    # the end, which brings the triggers back; recreate them anyway so later
    # statements in this test run against a guarded table.
    altered = three_events[1]
    triggers.drop_triggers(connection)
    try:
        _raw_sql("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["forged", altered.pk])
    finally:
        triggers.create_triggers(connection)

    result = verify_chain()

    assert not result.ok
    assert result.first_broken_id == altered.pk
    assert result.checked == 1
    with pytest.raises(CommandError, match=rf"Audit chain broken at event #{altered.pk}:") as exc:
        call_command("verify_audit_chain")
    assert exc.value.returncode == 1


def test_removed_event_is_detected(three_events):
    removed, following = three_events[1], three_events[2]
    triggers.drop_triggers(connection)
    try:
        _raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [removed.pk])
    finally:
        triggers.create_triggers(connection)

    result = verify_chain()

    assert not result.ok
    assert result.first_broken_id == following.pk
    assert "removed" in result.message


# serialized_rollback: the flush after the test then leaves no rows made by
# post_migrate (content types) for a later serialized-rollback test (the
# browser tests) to collide with when it restores the database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_never_fork_the_chain(parent):
    writers, per_writer = 4, 10
    barrier = threading.Barrier(writers)
    errors = []

    def write(n):
        try:
            barrier.wait()
            for i in range(per_writer):
                record(action="test.concurrent", actor=parent, data={"writer": n, "i": i})
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    previous = list(AuditEvent.objects.values_list("previous_hash", flat=True))
    assert len(previous) == writers * per_writer
    assert len(set(previous)) == len(previous)  # no two events chained onto one
    assert verify_chain().ok


# serialized_rollback: the flush after the test then leaves no rows made by
# post_migrate (content types) for a later serialized-rollback test (the
# browser tests) to collide with when it restores the database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flush_empties_the_trail_and_keeps_the_guard():
    record(action="test.before_flush")

    # As a test's own flush does: no post_migrate (it would recreate content
    # types under new keys) and no sequence reset (on PostgreSQL the next
    # restored test would then hand out ids its restored rows already hold).
    call_command(
        "flush", interactive=False, verbosity=0, inhibit_post_migrate=True, reset_sequences=False
    )

    assert AuditEvent.objects.count() == 0
    assert triggers.triggers_exist(connection)
    record(action="test.after_flush")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw_sql("UPDATE audit_auditevent SET reason = 'x'")


def test_event_recorded_with_a_request_stores_ip_and_actor(staff):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    request.user = staff

    event = record(action="sar.record.viewed", request=request)

    event.refresh_from_db()
    assert event.actor == staff
    assert event.ip_address == "203.0.113.7"


def test_forwarded_for_is_ignored_unless_behind_a_proxy(staff, settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    request.user = staff

    assert record(action="test.direct", request=request).ip_address == "10.0.0.2"

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = factory.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.1"
    )
    request.user = staff
    assert record(action="test.proxied", request=request).ip_address == "198.51.100.9"


def test_anonymous_request_records_the_system(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/", REMOTE_ADDR="::1")
    request.user = AnonymousUser()

    event = record(action="account.sign_in_failed", request=request)

    assert event.actor is None
    assert event.actor_label == "system"
    assert event.ip_address == "::1"


def test_publishing_and_unpublishing_a_page_is_audited(django_user_model):
    editor = django_user_model.objects.create_superuser(
        email="editor@example.org", password="a-long-password-1"
    )
    root = Page.get_first_root_node()
    page = root.add_child(instance=Page(title="Audit test page", slug="audit-test-page"))

    page.save_revision(user=editor).publish(user=editor)
    page.refresh_from_db()
    page.unpublish(user=editor)

    published = AuditEvent.objects.get(action="page.published", object_id=str(page.pk))
    unpublished = AuditEvent.objects.get(action="page.unpublished", object_id=str(page.pk))
    assert published.actor == editor
    assert published.object_type == "wagtailcore.page"
    assert unpublished.actor == editor
    assert verify_chain().ok


def _sign_in_verified(client, user):
    """Sign in as someone who has passed the second-factor check, as the admin
    requires (django-otp keeps the verified device in the session)."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


class TestAdminListing:
    url = "/admin/audit/"

    def test_anonymous_is_sent_to_sign_in(self, client, settings):
        response = client.get(self.url)

        assert response.status_code == 302
        assert response["Location"].startswith(settings.WAGTAILADMIN_LOGIN_URL)

    def test_staff_without_permission_cannot_see_it(self, client, staff, three_events):
        _grant(staff, "access_admin")
        _sign_in_verified(client, staff)

        response = client.get(self.url)

        assert response.status_code in (302, 403)
        assert b"sar.request.submitted" not in response.content

    def test_staff_with_view_permission_sees_a_read_only_list(self, client, staff, three_events):
        _grant(staff, "access_admin", "view_auditevent")
        _sign_in_verified(client, staff)

        response = client.get(self.url)

        assert response.status_code == 200
        assert b"sar.request.submitted" in response.content
        assert b"/admin/audit/new/" not in response.content
        assert b"/admin/audit/edit/" not in response.content
        assert b"/admin/audit/delete/" not in response.content

    def test_listing_filters_by_action(self, client, staff, three_events):
        _grant(staff, "access_admin", "view_auditevent")
        _sign_in_verified(client, staff)

        response = client.get(self.url, {"action": "sar.request.approved"})

        assert response.status_code == 200
        assert b"sar.request.approved" in response.content
        assert b"sar.request.submitted" not in response.content

    def test_listing_filters_by_date(self, client, staff, three_events):
        _grant(staff, "access_admin", "view_auditevent")
        _sign_in_verified(client, staff)
        today = timezone.localdate()

        today_only = client.get(self.url, {"timestamp_from": today.isoformat()})
        from_tomorrow = client.get(
            self.url, {"timestamp_from": (today + datetime.timedelta(days=1)).isoformat()}
        )

        assert b"sar.request.submitted" in today_only.content
        assert b"sar.request.submitted" not in from_tomorrow.content

    def test_not_even_a_superuser_can_add_edit_or_delete(self, client, three_events):
        superuser = get_user_model().objects.create_superuser(
            email="admin@example.org", password="a-long-password-1"
        )
        _sign_in_verified(client, superuser)
        event = three_events[0]

        listing = client.get(self.url)
        assert listing.status_code == 200
        assert f"{self.url}new/".encode() not in listing.content
        assert client.get(f"{self.url}new/").status_code != 200
        assert client.get(f"{self.url}edit/{event.pk}/").status_code != 200
        client.post(f"{self.url}delete/{event.pk}/")
        assert client.get(f"{self.url}delete/{event.pk}/").status_code != 200
        assert AuditEvent.objects.filter(pk=event.pk).exists()
        assert client.get(f"{self.url}inspect/{event.pk}/").status_code == 200
