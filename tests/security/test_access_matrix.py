"""Who may open every URL of the site: a row per URL pattern, a column per role.

The roles are those of tests/security/world.py: a visitor who is not signed
in; the parent signed in with their password only (second factor not yet
checked in this session); the parent verified; another verified parent; and a
verified member of staff in each group made by
portal/accounts/migrations/0003_staff_groups.py (caseworker, approver,
safeguarding lead, content editor, administrator). Each cell is one GET (or
the row's method) through the test client, and says what that person must
get: a page (200), a redirect to sign in, to the second-factor check, to
their account or to the admin's "no permission" (302 to the named page), or a
refusal (400, 403, 404, 405). The other parent opening the parent's request,
consent, appointment or factor must get 404, never a page.

Which URLs need a row
- Every URL outside /admin/: the project's URLconfs (accounts, requests,
  appointments, health, sitemap, the passkey endpoints) and Wagtail's page
  serving and front-end utilities, since those show the project's pages.
- Every admin URL the project registers through its own hooks
  (``register_admin_urls``, ``register_admin_viewset``: the case screens,
  consents, sign-in resets, the audit trail, the appointment screens) or
  serves with its own views.
- The Wagtail admin's own URLs (pages, images, documents, users, groups,
  workflows, reports, choosers, the admin API: about 190 patterns) are not
  rows: Wagtail decides which staff group sees which, from the permissions
  the groups hold. What the project must guarantee about them is that they
  are staff only, and ``test_every_wagtail_admin_url_is_staff_only`` checks
  that on every one of them, found by the same walk: a visitor or a parent
  never gets a page, and an unverified session (parent or staff) is sent to
  the second-factor check first. The admin's entry points where the staff
  groups differ (the dashboard, page editing, the settings the project
  registers, users and groups, images and documents, reports) are rows as
  well, so the matrix shows which group reaches what.

A new URL without a row fails ``test_every_url_of_the_site_has_a_row``,
naming it; a row for a URL that no longer exists fails
``test_every_row_names_a_url_that_exists``. To add a row, copy the nearest
one in ROWS: most are one of the shapes below (``personal``,
``parent_object``, ``case_staff``...), with ``args`` building the URL's
arguments from the world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.urls import NoReverseMatch, reverse

from portal.accounts import registration
from tests.security.site_urls import (
    by_key,
    project_urls,
    sample_path,
    wagtail_admin_urls,
)
from tests.security.world import (
    ANONYMOUS,
    CASEWORKER_UNVERIFIED,
    OTHER_PARENT,
    PARENT,
    PARENT_UNVERIFIED,
    ROLES,
    STAFF_ROLES,
    World,
    module_world,
)

pytestmark = pytest.mark.django_db

# What a cell expects -------------------------------------------------------------

OK = 200
BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405


@dataclass(frozen=True)
class To:
    """A redirect (302) to the page named ``url_name`` (its path: the query
    string, such as ``next``, is not compared)."""

    url_name: str
    args: Callable[[World], list] | None = None

    def path(self, world: World) -> str:
        return reverse(self.url_name, args=self.args(world) if self.args else None)

    def __str__(self):
        return f"302 to {self.url_name}"


SIGN_IN = To("accounts:sign_in")
CHALLENGE = To("accounts:challenge")
# A signed-in person sent to their account page (staff on a parent's page,
# anyone signed in on the sign-in or sign-up page).
ACCOUNT = To("accounts:dashboard")
# Wagtail's "Sorry, you do not have permission to access this area".
NO_PERMISSION = To("wagtailadmin_home")
FACTORS = To("accounts:factors")


@dataclass(frozen=True)
class Row:
    """The expected answer for each role, and how to build the URL."""

    expected: dict
    args: Callable[[World], list] | None = None
    method: str = "get"
    # The whole address, for a URL not reversed by name (page serving).
    path: Callable[[World], str] | None = None

    def address(self, key: str, world: World) -> str:
        if self.path is not None:
            return self.path(world)
        return reverse(key, args=self.args(world) if self.args else None)


def expect(*, anonymous, unverified, parent, other=None, staff, **staff_roles) -> dict:
    """Expectations for every role; ``other`` defaults to ``parent``'s and
    each staff role to ``staff``'s unless named (caseworker=..., ...)."""
    expected = {
        ANONYMOUS: anonymous,
        PARENT_UNVERIFIED: unverified,
        PARENT: parent,
        OTHER_PARENT: parent if other is None else other,
    }
    for role in STAFF_ROLES:
        expected[role] = staff_roles.pop(role.replace(" ", "_"), staff)
    assert not staff_roles, f"Unknown roles: {sorted(staff_roles)}"
    return expected


def everyone(expected) -> dict:
    return dict.fromkeys(ROLES, expected)


def public() -> dict:
    """A page anyone may open (signed-in people too)."""
    return everyone(OK)


def signed_out_only() -> dict:
    """Sign in, sign up: anyone already signed in goes to their account."""
    return {**everyone(ACCOUNT), ANONYMOUS: OK}


def account_page(staff=OK) -> dict:
    """The person's own account (staff have one too): verified sessions."""
    return expect(anonymous=SIGN_IN, unverified=CHALLENGE, parent=OK, staff=staff)


def personal() -> dict:
    """A parent's page with personal data (``personal_page``): staff accounts
    have no parent data and are sent to their account page."""
    return expect(anonymous=SIGN_IN, unverified=CHALLENGE, parent=OK, staff=ACCOUNT)


def parent_object(parent=OK) -> dict:
    """One of the parent's own things: anyone else's lookup is a 404."""
    return expect(
        anonymous=SIGN_IN, unverified=CHALLENGE, parent=parent, other=NOT_FOUND, staff=ACCOUNT
    )


def admin(**staff_roles) -> dict:
    """An admin screen: signed-out visitors and parents are sent to sign in
    (parents then see "You do not have permission to access the admin" on
    their account page), unverified sessions to the second-factor check;
    every staff role as given (``staff=`` for all of them)."""
    staff = staff_roles.pop("staff", NO_PERMISSION)
    return expect(
        anonymous=SIGN_IN, unverified=CHALLENGE, parent=SIGN_IN, staff=staff, **staff_roles
    )


def case_staff(**overrides) -> dict:
    """``sar.roles.is_case_staff``: every staff group but content editors."""
    return admin(**{"staff": OK, "content_editor": NO_PERMISSION, **overrides})


def booking_staff(**overrides) -> dict:
    """``appointments.permissions.is_booking_staff``: caseworkers, administrators."""
    return admin(**{"caseworker": OK, "administrator": OK, **overrides})


# Arguments built from the world ---------------------------------------------------


def reference(world):
    return [world.access_request.reference]


def booking(world):
    return [world.booking.pk]


def case(world):
    return [world.case.pk]


def requester(world):
    return [world.users[PARENT].pk]


def _pk(name):
    return lambda world: [getattr(world, name).pk]


def _model_viewset(namespace: str, obj: str, expected: Callable[..., dict]) -> dict:
    """The rows of a Wagtail ModelViewSet the project registers."""
    rows = {
        f"{namespace}:index": Row(expected()),
        f"{namespace}:index_results": Row(expected()),
        f"{namespace}:add": Row(expected()),
    }
    for view in ("edit", "delete", "history", "history_results", "usage"):
        rows[f"{namespace}:{view}"] = Row(expected(), args=_pk(obj))
    return rows


# The rows -------------------------------------------------------------------------

ROWS: dict[str, Row] = {
    # Site-wide.
    "health": Row(public()),
    "service_health": Row(everyone(503)),  # no cluster runs in the tests
    "sitemap": Row(public()),
    # Wagtail serves the content pages (the confidentiality code here); its
    # front-end sign-in is the portal's (portal/urls.py); password-protected
    # pages are not used, so there is no restriction to authenticate against.
    "wagtail_serve": Row(public(), path=lambda world: world.code_page.url),
    "wagtail_frontend_login": Row(everyone(SIGN_IN)),
    # Wagtail's own pattern for the same address, shadowed by the one above.
    "wagtailcore_login": Row(everyone(SIGN_IN)),
    "wagtailcore_authenticate_with_password": Row(everyone(NOT_FOUND), args=lambda w: [1, 1]),
    # Signing up and in.
    "accounts:sign_up": Row(signed_out_only()),
    "accounts:sign_up_done": Row(public()),
    "accounts:email_unconfirmed": Row(
        # Everyone signed in here has confirmed their address already.
        expect(anonymous=SIGN_IN, unverified=ACCOUNT, parent=ACCOUNT, staff=ACCOUNT)
    ),
    # The link from the email: anyone holding it may open it.
    "accounts:confirm_email": Row(
        public(), args=lambda w: [registration.confirmation_token(user=w.users[PARENT])]
    ),
    "accounts:sign_in": Row(signed_out_only()),
    "accounts:sign_out": Row(everyone(NOT_ALLOWED)),  # a form's POST only
    "accounts:signed_out": Row(public()),
    "accounts:challenge": Row({**everyone(OK), ANONYMOUS: SIGN_IN}),
    "accounts:password_reset": Row(public()),
    "accounts:password_reset_sent": Row(public()),
    # A made-up link: the page says the link is invalid.
    "accounts:password_reset_confirm": Row(public(), args=lambda w: ["MQ", "made-up-token"]),
    "accounts:password_reset_complete": Row(public()),
    # The account and its second factors.
    "accounts:dashboard": Row(account_page()),
    "accounts:factors": Row(account_page()),
    "accounts:password_change": Row(account_page()),
    # Staff go straight to the authenticator app: no email codes for them.
    "accounts:enrol": Row(account_page(staff=To("accounts:enrol_totp"))),
    "accounts:enrol_totp": Row(account_page()),
    "accounts:enrol_email": Row(
        expect(anonymous=SIGN_IN, unverified=CHALLENGE, parent=OK, staff=NOT_FOUND)
    ),
    "accounts:enrol_passkey": Row(account_page()),
    # The codes are shown once, straight after they are made.
    "accounts:backup_codes": Row(
        expect(anonymous=SIGN_IN, unverified=CHALLENGE, parent=FACTORS, staff=FACTORS)
    ),
    "accounts:backup_codes_download": Row(
        expect(anonymous=SIGN_IN, unverified=CHALLENGE, parent=NOT_ALLOWED, staff=NOT_ALLOWED)
    ),
    "accounts:backup_codes_regenerate": Row(account_page()),
    # The parent's authenticator app: nobody else's to remove.
    "accounts:factor_remove": Row(
        expect(
            anonymous=SIGN_IN, unverified=CHALLENGE, parent=OK, other=NOT_FOUND, staff=NOT_FOUND
        ),
        args=lambda w: [w.devices[PARENT].persistent_id],
    ),
    # Lost the second factor: asked from a password-only session.
    "accounts:recovery": Row(
        expect(anonymous=SIGN_IN, unverified=OK, parent=FACTORS, staff=FACTORS)
    ),
    "accounts:recovery_done": Row({**everyone(OK), ANONYMOUS: SIGN_IN}),
    # Passkeys: django-otp-webauthn's JSON endpoints, POSTed by its script.
    "otp_webauthn:credential-registration-begin": Row(
        expect(anonymous=FORBIDDEN, unverified=FORBIDDEN, parent=OK, staff=OK), method="post"
    ),
    "otp_webauthn:credential-registration-complete": Row(
        expect(anonymous=FORBIDDEN, unverified=FORBIDDEN, parent=BAD_REQUEST, staff=BAD_REQUEST),
        method="post",
    ),
    # Only the parent has a passkey to check.
    "otp_webauthn:credential-authentication-begin": Row(
        expect(anonymous=FORBIDDEN, unverified=OK, parent=OK, other=FORBIDDEN, staff=FORBIDDEN),
        method="post",
    ),
    "otp_webauthn:credential-authentication-complete": Row(
        expect(
            anonymous=FORBIDDEN,
            unverified=BAD_REQUEST,
            parent=BAD_REQUEST,
            other=FORBIDDEN,
            staff=FORBIDDEN,
        ),
        method="post",
    ),
    "otp_webauthn:js-i18n-catalog": Row(public()),
    # Asking for records (the journey keeps its answers in the session).
    "sar:requests": Row(personal()),
    "sar:start": Row(personal()),
    "sar:who": Row(personal()),
    "sar:children": Row(personal()),
    "sar:child_add": Row(personal()),
    # A child who is not among this session's answers.
    "sar:child_change": Row(
        expect(anonymous=SIGN_IN, unverified=CHALLENGE, parent=NOT_FOUND, staff=ACCOUNT),
        args=lambda w: ["not-a-key"],
    ),
    "sar:child_remove": Row(
        expect(anonymous=SIGN_IN, unverified=CHALLENGE, parent=NOT_FOUND, staff=ACCOUNT),
        args=lambda w: ["not-a-key"],
    ),
    "sar:what": Row(personal()),
    "sar:what_detail": Row(personal()),
    "sar:how": Row(personal()),
    "sar:adjustments": Row(personal()),
    "sar:code": Row(personal()),
    "sar:check": Row(personal()),
    # The parent's requests and consents.
    "sar:request_detail": Row(parent_object(), args=reference),
    "sar:confirmation": Row(parent_object(), args=reference),
    "sar:answer": Row(parent_object(), args=reference),
    "sar:withdraw": Row(parent_object(), args=reference),
    "sar:consents": Row(personal()),
    "sar:my_data": Row(personal()),
    # Nothing approved yet: the parent's own download is not there either.
    "sar:download": Row(
        parent_object(parent=NOT_FOUND), args=lambda w: [w.access_request.reference, w.case.pk]
    ),
    "sar:consent_withdraw": Row(parent_object(), args=_pk("consent")),
    # Appointments.
    "appointments:list": Row(personal()),
    "appointments:book": Row(personal()),
    "appointments:book_location": Row(personal()),
    "appointments:book_adjustments": Row(personal()),
    "appointments:book_date": Row(personal()),
    "appointments:book_time": Row(personal()),
    "appointments:book_check": Row(personal()),
    "appointments:booked": Row(parent_object(), args=booking),
    "appointments:changed": Row(parent_object(), args=booking),
    "appointments:change": Row(parent_object(), args=booking),
    # Without a day chosen, back to choosing one.
    "appointments:change_time": Row(
        parent_object(parent=To("appointments:change", booking)), args=booking
    ),
    "appointments:cancel": Row(parent_object(), args=booking),
    # The admin: requests and cases (sar/admin_views).
    "sar_admin:dashboard": Row(case_staff()),
    "sar_admin:dashboard_results": Row(case_staff()),
    "sar_admin:case": Row(case_staff(), args=case),
    # A step the person may take opens its form; any other goes back to the
    # case with the workflow's message.
    "sar_admin:case_step": Row(
        case_staff(
            approver=To("sar_admin:case", case),
            safeguarding_lead=To("sar_admin:case", case),
            administrator=To("sar_admin:case", case),
        ),
        args=lambda w: [w.case.pk, "assign"],
    ),
    "sar_admin:consents": Row(case_staff()),
    "sar_admin:parent_consents": Row(case_staff(), args=requester),
    # Only caseworkers are offered the button; anyone else posting the form
    # is refused by ``sar.consent.consent_record`` with its message.
    "sar_admin:consent_record": Row(case_staff(), args=requester),
    # Records and redaction (#5): case staff read; only caseworkers decide.
    "sar_admin:case_records": Row(case_staff(), args=case),
    # Only for a record shared in confidence by the child: this one was not.
    "sar_admin:record_include": Row(
        case_staff(staff=NOT_FOUND), args=lambda w: [w.case.pk, w.record.pk]
    ),
    "sar_admin:redaction": Row(case_staff(), args=case),
    "sar_admin:redaction_log": Row(case_staff(), args=case),
    "sar_admin:redaction_record": Row(case_staff(), args=lambda w: [w.case.pk, w.record.pk]),
    # Bundles (#5): the case has none yet.
    "sar_admin:bundle_prepare": Row(case_staff(), args=case),  # a confirmation page
    "sar_admin:bundle_retry": Row(case_staff(staff=NOT_ALLOWED), args=case),
    "sar_admin:bundle_status": Row(case_staff(), args=case),
    # No bundle yet: back to the case page.
    "sar_admin:bundle_pdf": Row(case_staff(staff=To("sar_admin:case", case)), args=case),
    "sar_admin:bundle_revoke": Row(case_staff(staff=To("sar_admin:case", case)), args=case),
    "sar_admin:bundle_available": Row(case_staff(staff=NOT_ALLOWED), args=case),
    # Safeguarding holds (#7): safeguarding leads and administrators only.
    "sar_admin:holds": Row(admin(safeguarding_lead=OK, administrator=OK)),
    "sar_admin:holds_results": Row(admin(safeguarding_lead=OK, administrator=OK)),
    # Administrators read holds; only safeguarding leads place or lift them.
    "sar_admin:hold_service_case": Row(admin(safeguarding_lead=OK)),
    "sar_admin:hold": Row(admin(safeguarding_lead=OK, administrator=OK), args=_pk("hold")),
    "sar_admin:hold_lift": Row(admin(safeguarding_lead=OK), args=_pk("hold")),
    # Retention and disposal (#7): caseworkers and administrators.
    "sar_admin:disposal_queue": Row(admin(caseworker=OK, administrator=OK)),
    "sar_admin:retention_cases": Row(admin(caseworker=OK, administrator=OK)),
    "sar_admin:retention_case": Row(
        admin(caseworker=OK, administrator=OK), args=_pk("service_case")
    ),
    # Administrators read retention; only caseworkers record and dispose.
    "sar_admin:left_education": Row(
        admin(caseworker=OK),
        args=lambda w: [w.service_case.pk, w.child.pk],
    ),
    "sar_admin:disposal_confirm": Row(admin(caseworker=OK), args=_pk("service_case")),
    "sar_admin:disposal_records": Row(admin(caseworker=OK, administrator=OK)),
    "sar_admin:disposal_record": Row(admin(caseworker=OK, administrator=OK), args=_pk("tombstone")),
    "sar_admin:disposal_certificate": Row(
        admin(caseworker=OK, administrator=OK), args=_pk("tombstone")
    ),
    # Case studies and the reads report (#7).
    "sar_admin:case_studies": Row(admin(caseworker=OK, administrator=OK)),
    "sar_admin:case_study": Row(admin(caseworker=OK, administrator=OK), args=_pk("service_case")),
    "sar_admin:case_study_export": Row(
        admin(caseworker=NOT_ALLOWED, administrator=NOT_ALLOWED), args=_pk("service_case")
    ),
    "sar_admin:reads_report": Row(admin(administrator=OK)),
    # Sign-in resets: ``accounts.reset_factors`` (caseworkers, administrators).
    "accounts_recovery_index": Row(admin(caseworker=OK, administrator=OK)),
    "accounts_recovery_detail": Row(admin(caseworker=OK, administrator=OK), args=_pk("recovery")),
    # The audit trail: only for those granted ``audit.view_auditevent`` (no
    # group has it by default), and nobody may add, change or delete.
    "audit:index": Row(admin()),
    "audit:index_results": Row(admin()),
    "audit:add": Row(admin()),
    "audit:edit": Row(admin(), args=_pk("audit_event")),
    "audit:delete": Row(admin(), args=_pk("audit_event")),
    "audit:history": Row(admin(), args=_pk("audit_event")),
    "audit:history_results": Row(admin(), args=_pk("audit_event")),
    "audit:usage": Row(admin(), args=_pk("audit_event")),
    "audit:inspect": Row(admin(), args=_pk("audit_event")),
    # Appointments: the diary and the screens behind it (booking staff).
    "appointment_diary:day": Row(booking_staff()),
    "appointment_diary:week": Row(booking_staff()),
    "appointment_diary:booking": Row(booking_staff(), args=booking),
    "appointment_diary:attended": Row(
        booking_staff(caseworker=NOT_ALLOWED, administrator=NOT_ALLOWED), args=booking
    ),
    "appointment_diary:no_show": Row(
        booking_staff(caseworker=NOT_ALLOWED, administrator=NOT_ALLOWED), args=booking
    ),
    "appointment_diary:cancel": Row(booking_staff(), args=booking),
    **_model_viewset("appointment_locations", "location", booking_staff),
    **_model_viewset("appointment_staff", "staff_member", booking_staff),
    **_model_viewset("appointment_closures", "closure", booking_staff),
    # Wagtail's own admin: the entry points where the groups differ.
    "wagtailadmin_home": Row(admin(staff=OK)),
    # Pages: content editors only (their group's page permissions, from the
    # content app's migration).
    "wagtailadmin_explore_root": Row(admin(content_editor=OK)),
    "wagtailadmin_pages:edit": Row(admin(content_editor=OK), args=lambda w: [w.code_page.pk]),
    # People: administrators (``accounts.*_user``); groups: superusers only.
    "wagtailusers_users:index": Row(admin(administrator=OK)),
    "wagtailusers_groups:index": Row(admin()),
    # No group holds image or document permissions: the pages use neither.
    "wagtailimages:index": Row(admin()),
    "wagtaildocs:index": Row(admin()),
    "wagtailadmin_reports:site_history": Row(admin(staff=OK)),
    "wagtailadmin_workflows:index": Row(admin()),
}


# The rows and the site agree ------------------------------------------------------


def test_every_url_of_the_site_has_a_row():
    missing = [str(url) for url in project_urls() if url.key not in ROWS]

    assert not missing, (
        "These URLs have no row in ROWS (tests/security/test_access_matrix.py); "
        "add one saying what each role gets:\n  " + "\n  ".join(missing)
    )


def test_every_row_names_a_url_that_exists():
    stale = sorted(set(ROWS) - set(by_key()))

    assert not stale, f"ROWS names URLs the site no longer has: {stale}"


# The matrix -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as built:
        yield built


def describe(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


def outcome_matches(expected, response, world) -> bool:
    if isinstance(expected, To):
        return response.status_code == 302 and urlparse(response["Location"]).path == expected.path(
            world
        )
    return response.status_code == expected


CELLS = [(key, role) for key in ROWS for role in ROLES]


@pytest.mark.parametrize(
    ("key", "role"), CELLS, ids=[f"{key}|{role.replace(' ', '_')}" for key, role in CELLS]
)
def test_access(world, key, role):
    row = ROWS[key]
    try:
        address = row.address(key, world)
    except NoReverseMatch:
        pytest.fail(f"ROWS names {key}, which the site no longer has")

    response = getattr(world.client(role), row.method)(address)

    expected = row.expected[role]
    assert outcome_matches(expected, response, world), (
        f"{role} at {row.method.upper()} {address} ({key}): expected {expected}, "
        f"got {describe(response)}"
    )


OBJECT_ROWS = [key for key, row in ROWS.items() if row.expected[OTHER_PARENT] == NOT_FOUND]


@pytest.mark.parametrize("key", OBJECT_ROWS)
def test_another_parent_cannot_post_to_the_parents_things(world, key):
    address = ROWS[key].address(key, world)

    response = world.client(OTHER_PARENT).post(address, {"confirm": "yes", "reason": "x"})

    # A page that only shows (the confirmations) refuses any POST first.
    assert response.status_code in (NOT_FOUND, NOT_ALLOWED), (
        f"other parent POSTing to {address} ({key}) got {describe(response)}"
    )


# The rest of the Wagtail admin: staff only ------------------------------------------

# Wagtail serves these to anyone: its icon sprite and its translated strings
# for scripts, no data.
PUBLIC_ADMIN_ASSETS = {"wagtailadmin_sprite", "wagtailadmin_javascript_catalog"}
# Wagtail's own sign-in and password reset pages, replaced by the portal's
# (portal.accounts.middleware.StaffTwoFactorMiddleware).
REPLACED = {
    "wagtailadmin_login": "accounts:sign_in",
    "wagtailadmin_password_reset": "accounts:password_reset",
    "wagtailadmin_password_reset_done": "accounts:password_reset",
    "wagtailadmin_password_reset_confirm": "accounts:password_reset",
    "wagtailadmin_password_reset_complete": "accounts:password_reset",
}
NOT_STAFF = (ANONYMOUS, PARENT_UNVERIFIED, PARENT, CASEWORKER_UNVERIFIED)
WAGTAIL_CELLS = [
    (url, role)
    for url in wagtail_admin_urls()
    if url.key not in PUBLIC_ADMIN_ASSETS
    for role in NOT_STAFF
]


def _leads_to(client, response, expected: str) -> bool:
    """Whether the redirect goes to ``expected``, straight away or through
    other redirects (Wagtail's catch-all sends visitors to its login page,
    which sends them to the portal's)."""
    for _hop in range(3):
        if response.status_code not in (301, 302):
            return False
        if urlparse(response["Location"]).path == expected:
            return True
        response = client.get(response["Location"])
    return False


@pytest.mark.parametrize(
    ("url", "role"),
    WAGTAIL_CELLS,
    ids=[f"{url.key}|{role.replace(' ', '_')}" for url, role in WAGTAIL_CELLS],
)
def test_every_wagtail_admin_url_is_staff_only(world, url, role):
    client = world.client(role)
    address = sample_path(url)

    response = client.get(address)

    if url.key in REPLACED:
        expected = reverse(REPLACED[url.key])
    elif role in (PARENT_UNVERIFIED, CASEWORKER_UNVERIFIED) and url.key != "wagtailadmin_logout":
        expected = reverse("accounts:challenge")
    else:
        expected = reverse("accounts:sign_in")
    if response.status_code == NOT_ALLOWED and role == CASEWORKER_UNVERIFIED:
        # Signing out of the admin is a POST, refused before anything else.
        assert url.key == "wagtailadmin_logout"
        return
    assert response.status_code == 302, f"{role} at {address} ({url}): got {describe(response)}"
    assert _leads_to(client, response, expected), (
        f"{role} at {address} ({url}): got {describe(response)}, expected a way to {expected}"
    )
