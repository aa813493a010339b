"""Who may open the staff case screens, and what the screens share.

Every view here sits behind Wagtail's own gate (``wagtailadmin.access_admin``,
reached only with a verified second factor: ``StaffTwoFactorMiddleware``) and
then ``CaseStaffRequiredMixin``: Caseworker, Approver, Safeguarding lead and
Administrator groups and superusers; a content editor is refused. What a
member of staff may *do* to a case is the workflow's to say.
"""

from django.core.exceptions import PermissionDenied
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from sar import children, roles
from sar.models import SubjectCase, SubjectKind

# Why staff read a case, recorded with every "sar.case.viewed" event.
CASE_VIEW_PURPOSE = "Responding to a right-of-access request"
CONSENTS_VIEW_PURPOSE = "Checking consent to disclose"


@method_decorator(never_cache, name="dispatch")
class CaseStaffRequiredMixin:
    """Refuses anyone who does not work on requests (Wagtail turns the
    PermissionDenied into its "no permission" redirect); pages are never
    cached, since they hold personal data."""

    def dispatch(self, request, *args, **kwargs):
        if not roles.is_case_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def subject_label(case: SubjectCase) -> str:
    """Who a case is about, without naming them, for lists and headings:
    "Requester" or "Child (12)" (age on the day the request was received)."""
    if case.kind == SubjectKind.REQUESTER:
        return _("Requester")
    return _("Child (%(age)d)") % {"age": children.subject_age(case)}


def person_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email
