"""Lost second factor: the person asks, staff check who they are and reset.

There is no self-service reset: a password alone (which a thief may have) must
never be enough to replace someone's second factor.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal.accounts.factors import SECURITY_NOTICE, devices_delete_all
from portal.accounts.models import RecoveryRequest, User
from portal.audit import events
from portal.notifications.email import enqueue_notice

NOT_PENDING = "This request has already been dealt with."
OWN_REQUEST = "You cannot reset your own second factors. Ask another member of staff."
NO_PERMISSION = "You do not have permission to reset second factors."


class RecoveryError(Exception):
    """A recovery step that cannot go ahead; the message is for the person."""


def recovery_request(*, user: User, explanation: str, request) -> RecoveryRequest:
    """Ask staff to reset the person's second factors. Asking again while a
    request is open returns the open one."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        pending = recovery_pending_for(user=user)
        if pending is not None:
            return pending
        recovery = RecoveryRequest.objects.create(user=user, explanation=explanation)
        events.record(
            action="accounts.recovery_requested", actor=user, obj=recovery, request=request
        )
        # If a thief with the password asked, the real owner hears of it.
        enqueue_notice(user=user, template=SECURITY_NOTICE)
    return recovery


def recovery_pending_for(*, user: User) -> RecoveryRequest | None:
    return RecoveryRequest.objects.filter(user=user, status=RecoveryRequest.Status.PENDING).first()


def recoveries_pending() -> QuerySet[RecoveryRequest]:
    return RecoveryRequest.objects.filter(status=RecoveryRequest.Status.PENDING).select_related(
        "user"
    )


def _resolve(*, recovery: RecoveryRequest, staff: User) -> RecoveryRequest:
    if not staff.has_perm("accounts.reset_factors"):
        raise RecoveryError(NO_PERMISSION)
    locked = RecoveryRequest.objects.select_for_update().get(pk=recovery.pk)
    if locked.status != RecoveryRequest.Status.PENDING:
        raise RecoveryError(NOT_PENDING)
    if locked.user_id == staff.pk:
        raise RecoveryError(OWN_REQUEST)
    return locked


def recovery_complete(
    *, recovery: RecoveryRequest, staff: User, identity_check: str, notes: str, request
) -> RecoveryRequest:
    """Staff have checked the person's identity: remove every factor they have
    so they set up new ones when they next sign in."""
    with transaction.atomic():
        locked = _resolve(recovery=recovery, staff=staff)
        removed = devices_delete_all(user=locked.user)
        locked.status = RecoveryRequest.Status.COMPLETED
        locked.resolved_at = timezone.now()
        locked.resolved_by = staff
        locked.identity_check = identity_check
        locked.staff_notes = notes
        locked.save()
        events.record(
            action="accounts.recovery_completed",
            actor=staff,
            obj=locked,
            request=request,
            reason=f"Identity checked: {locked.get_identity_check_display()}",
            data={"user_id": locked.user_id, "factors_removed": removed},
        )
        enqueue_notice(user=locked.user, template=SECURITY_NOTICE)
    return locked


def recovery_refuse(
    *, recovery: RecoveryRequest, staff: User, notes: str, request
) -> RecoveryRequest:
    """Staff could not confirm who asked: close the request, change nothing."""
    with transaction.atomic():
        locked = _resolve(recovery=recovery, staff=staff)
        locked.status = RecoveryRequest.Status.REFUSED
        locked.resolved_at = timezone.now()
        locked.resolved_by = staff
        locked.staff_notes = notes
        locked.save()
        events.record(
            action="accounts.recovery_refused",
            actor=staff,
            obj=locked,
            request=request,
            reason="Identity not confirmed",
            data={"user_id": locked.user_id},
        )
    return locked
