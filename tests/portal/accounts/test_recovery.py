"""Lost second factor: the person asks, staff check identity and reset."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import recovery
from portal.accounts.models import RecoveryRequest
from portal.audit.models import AuditEvent
from tests.portal.accounts.factories import (
    StaffFactory,
    add_totp,
    sign_in_password_only,
    sign_in_verified,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    sign_in_verified(client, staff, add_totp(staff))
    return client


def test_a_person_can_ask_for_a_reset_but_not_reset_anything(
    client, parent, totp_device, django_capture_on_commit_callbacks
):
    sign_in_password_only(client, parent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:recovery"), {"explanation": "Phone lost"})

    assert response["Location"] == reverse("accounts:recovery_done")
    item = RecoveryRequest.objects.get(user=parent)
    assert item.status == RecoveryRequest.Status.PENDING
    # Nothing changed: the factors are still there and the session unverified.
    assert TOTPDevice.objects.filter(user=parent).exists()
    assert client.get(reverse("accounts:dashboard")).status_code == 302
    # Asking again does not queue twice.
    client.post(reverse("accounts:recovery"), {"explanation": "Again"})
    assert RecoveryRequest.objects.filter(user=parent).count() == 1
    # The owner is told, in case it was not them.
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="accounts.recovery_requested").count() == 1


def test_staff_record_the_identity_check_and_reset_the_factors(
    staff_client, staff, parent, totp_device, django_capture_on_commit_callbacks
):
    item = RecoveryRequest.objects.create(user=parent, explanation="Phone lost")
    url = reverse("accounts_recovery_detail", args=[item.pk])
    assert "Phone lost" in staff_client.get(url).content.decode()
    assert parent.email in staff_client.get(reverse("accounts_recovery_index")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url, {"decision": "complete", "identity_check": "phone", "notes": "Called back."}
        )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RecoveryRequest.Status.COMPLETED
    assert item.resolved_by == staff
    assert item.identity_check == "phone"
    assert not TOTPDevice.objects.filter(user=parent).exists()
    assert not StaticDevice.objects.filter(user=parent).exists()
    event = AuditEvent.objects.get(action="accounts.recovery_completed")
    assert event.actor == staff
    assert len(mail.outbox) == 1


def test_after_a_reset_the_person_sets_up_a_new_factor(client, staff, parent, totp_device):
    item = RecoveryRequest.objects.create(user=parent)
    recovery.recovery_complete(
        recovery=item, staff=staff, identity_check="in_person", notes="ID seen", request=None
    )
    sign_in_password_only(client, parent)

    response = client.get(reverse("accounts:dashboard"))

    assert response["Location"].startswith(reverse("accounts:enrol"))


def test_staff_must_say_how_they_checked_identity(staff_client, parent):
    item = RecoveryRequest.objects.create(user=parent)

    response = staff_client.post(
        reverse("accounts_recovery_detail", args=[item.pk]), {"decision": "complete", "notes": "x"}
    )

    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == RecoveryRequest.Status.PENDING


def test_staff_cannot_reset_their_own_factors(staff):
    item = RecoveryRequest.objects.create(user=staff)

    with pytest.raises(recovery.RecoveryError, match="your own"):
        recovery.recovery_complete(
            recovery=item, staff=staff, identity_check="phone", notes="", request=None
        )


def test_staff_without_the_permission_cannot_reset(client, parent):
    approver = StaffFactory(groups=["Approver"])
    sign_in_verified(client, approver, add_totp(approver))
    item = RecoveryRequest.objects.create(user=parent)

    response = client.get(reverse("accounts_recovery_detail", args=[item.pk]))

    assert response.status_code in (302, 403)
    with pytest.raises(recovery.RecoveryError):
        recovery.recovery_complete(
            recovery=item, staff=approver, identity_check="phone", notes="", request=None
        )


def test_a_refused_request_changes_nothing(staff, parent, totp_device):
    item = RecoveryRequest.objects.create(user=parent)

    recovery.recovery_refuse(recovery=item, staff=staff, notes="Could not reach", request=None)

    assert TOTPDevice.objects.filter(user=parent).exists()
    assert RecoveryRequest.objects.get(pk=item.pk).status == RecoveryRequest.Status.REFUSED
