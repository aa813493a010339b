"""The person's "Your data" page: what the service holds about them at a
glance (``sar.holdings``), and who at the service has looked at it and when
(``sar.reads``, from the audit trail). Everything is scoped to the signed-in
person; opening the page is itself an audit event."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from appointments.selectors import upcoming_bookings_for_parent
from content.models import ContactDetails
from portal.accounts.decorators import personal_page
from portal.audit.events import record
from sar import deadlines, holdings, reads, selectors

READS_PER_PAGE = 20
MY_DATA_PURPOSE = "The person looking at what the service holds about them"


@personal_page(methods=("GET",))
def my_data(request):
    user = request.user
    show_names = ContactDetails.for_request_or_default(request).show_staff_names
    page = Paginator(reads.staff_reads_of(user), READS_PER_PAGE).get_page(request.GET.get("page"))
    record(
        action="sar.my_data.viewed",
        actor=user,
        obj=user,
        reason=MY_DATA_PURPOSE,
        request=request,
        data={"page": page.number},
    )
    today = deadlines.today()
    consents = list(selectors.consents_for_parent(user))
    upcoming = upcoming_bookings_for_parent(user, now=timezone.now())
    context = {
        "held": holdings.records_held(user),
        "children": holdings.children_recorded(user),
        "open_requests": holdings.open_requests(user),
        "consent_count": len(consents),
        "active_consent_count": sum(c.is_active_on(today) for c in consents),
        "upcoming_count": upcoming.count(),
        "next_appointment": upcoming.first(),
        "reads": reads.describe_reads(page.object_list, user=user, show_names=show_names),
        "page_obj": page,
        "page_numbers": page.paginator.get_elided_page_range(
            page.number, on_each_side=1, on_ends=1
        ),
        "show_names": show_names,
    }
    return render(request, "sar/parent/my_data.html", context)
