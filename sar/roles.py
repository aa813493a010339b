"""Who may do what: staff roles are Django groups, created by the accounts
app's migration (``portal/accounts/migrations/0003_staff_groups.py``), looked up
by name. A parent's "role" is being the requester of the request in hand."""

from django.contrib.auth.models import AnonymousUser

CASEWORKER = "Caseworker"
APPROVER = "Approver"
SAFEGUARDING_LEAD = "Safeguarding lead"
# Not a group: the person who made the request (a parent, or a young person
# asking for their own records).
REQUESTER = "requester"

STAFF_ROLES = (CASEWORKER, APPROVER, SAFEGUARDING_LEAD)
# Runs the service: sees every case and hold in the admin, takes no step on a
# case unless also in one of the groups above.
ADMINISTRATOR = "Administrator"
# Who opens the staff case screens (a content editor, with admin access for
# pages only, does not).
CASE_STAFF_ROLES = (*STAFF_ROLES, ADMINISTRATOR)
# Who sees that a case is on safeguarding hold: the hold and its reasons are
# kept from everyone else, staff included.
HOLD_ROLES = (SAFEGUARDING_LEAD, ADMINISTRATOR)


def has_role(user, role: str) -> bool:
    """Whether ``user`` belongs to the staff group ``role``. Superusers hold
    every staff role; nobody holds one without an active account."""
    return has_any_role(user, (role,))


def has_any_role(user, role_names) -> bool:
    """Whether ``user`` belongs to any of the staff groups ``role_names`` (one
    query), with the same rules as ``has_role``."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=role_names).exists()


def is_case_staff(user) -> bool:
    """Whether ``user`` may open the staff case list and case pages."""
    return has_any_role(user, CASE_STAFF_ROLES)


def may_see_holds(user) -> bool:
    """Whether ``user`` may see cases on safeguarding hold."""
    return has_any_role(user, HOLD_ROLES)


def may_see_retention(user) -> bool:
    """Whether ``user`` may see the disposal queue and retention screens
    (caseworkers and administrators; only caseworkers change anything)."""
    return has_any_role(user, (CASEWORKER, ADMINISTRATOR))


def is_requester(user, request) -> bool:
    """Whether ``user`` made the access request ``request``."""
    return user is not None and user.is_authenticated and user.pk == request.requester_id
