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


def has_role(user, role: str) -> bool:
    """Whether ``user`` belongs to the staff group ``role``. Superusers hold
    every staff role; nobody holds one without an active account."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()


def is_requester(user, request) -> bool:
    """Whether ``user`` made the access request ``request``."""
    return user is not None and user.is_authenticated and user.pk == request.requester_id
