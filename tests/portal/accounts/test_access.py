"""Who may open what: personal pages need a verified session; the admin needs a
staff factor; parents never reach the admin; staff see no parent data."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import PageViewRestriction

from content.seed import publish_confidentiality_code
from portal.accounts.backends import AccountBackend
from portal.accounts.urls import PERSONAL_URL_NAMES
from tests.portal.accounts.factories import (
    PASSWORD,
    ParentFactory,
    add_backup_codes,
    add_email_device,
    add_totp,
    sign_in_password_only,
    sign_in_verified,
    totp_for,
)

pytestmark = pytest.mark.django_db

CHALLENGE = reverse("accounts:challenge")


def next_of(response) -> str:
    return parse_qs(urlparse(response["Location"]).query)["next"][0]


@pytest.mark.parametrize("url_name", PERSONAL_URL_NAMES)
def test_personal_page_sends_an_unverified_session_to_the_challenge(
    client, parent, totp_device, url_name
):
    sign_in_password_only(client, parent)
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert urlparse(response["Location"]).path == CHALLENGE
    assert next_of(response) == url


@pytest.mark.parametrize("url_name", PERSONAL_URL_NAMES)
def test_personal_page_sends_a_signed_out_visitor_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert urlparse(response["Location"]).path == reverse("accounts:sign_in")


@pytest.mark.parametrize("url_name", PERSONAL_URL_NAMES)
def test_personal_page_opens_for_a_verified_session(client, parent, totp_device, url_name):
    sign_in_verified(client, parent, totp_device)

    assert client.get(reverse(url_name)).status_code == 200


def test_after_the_challenge_the_person_returns_where_they_were_going(client, parent, totp_device):
    sign_in_password_only(client, parent)
    redirect_to_challenge = client.get(reverse("accounts:factors"))

    response = client.post(
        redirect_to_challenge["Location"],
        {
            "action": "verify",
            "factor": totp_device.persistent_id,
            "code": totp_for(totp_device).now(),
            "next": next_of(redirect_to_challenge),
        },
    )

    assert response["Location"] == reverse("accounts:factors")


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example"]
)
def test_challenge_does_not_follow_a_next_to_another_site(client, parent, totp_device, evil):
    sign_in_password_only(client, parent)

    response = client.post(
        f"{CHALLENGE}?next={evil}",
        {
            "action": "verify",
            "factor": totp_device.persistent_id,
            "code": totp_for(totp_device).now(),
            "next": evil,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


def test_sign_in_does_not_follow_a_next_to_another_site(client, parent):
    response = client.post(
        reverse("accounts:sign_in") + "?next=https://evil.example",
        {"email": parent.email, "password": "correct horse battery staple 42"},
    )

    assert response["Location"] == reverse("accounts:dashboard")


def test_a_person_without_a_factor_is_sent_to_set_one_up(client, parent):
    sign_in_password_only(client, parent)

    response = client.get(reverse("accounts:dashboard"))

    assert urlparse(response["Location"]).path == reverse("accounts:enrol")


def test_a_person_who_has_not_confirmed_their_email_is_asked_to(client):
    person = ParentFactory(email_verified_at=None)
    sign_in_password_only(client, person)

    response = client.get(reverse("accounts:dashboard"))

    assert response["Location"] == reverse("accounts:email_unconfirmed")
    assert client.get(reverse("accounts:enrol"))["Location"] == reverse(
        "accounts:email_unconfirmed"
    )


# Staff and the Wagtail admin ----------------------------------------------------


def test_staff_admin_refuses_a_password_only_session(client, staff):
    add_totp(staff)
    sign_in_password_only(client, staff)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert urlparse(response["Location"]).path == CHALLENGE
    assert next_of(response) == "/admin/"
    # Any admin page, not only the dashboard.
    assert urlparse(client.get("/admin/pages/")["Location"]).path == CHALLENGE


def test_staff_admin_opens_after_the_challenge(client, staff):
    device = add_totp(staff)
    sign_in_password_only(client, staff)

    client.post(
        CHALLENGE,
        {
            "action": "verify",
            "factor": device.persistent_id,
            "code": totp_for(device).now(),
            "next": "/admin/",
        },
    )

    assert client.get("/admin/").status_code == 200


def test_staff_without_a_factor_are_sent_to_set_up_an_app(client, staff):
    sign_in_password_only(client, staff)

    response = client.get("/admin/")
    assert urlparse(response["Location"]).path == reverse("accounts:enrol")
    # Staff go straight to the app: email codes are not offered.
    response = client.get(response["Location"])
    assert urlparse(response["Location"]).path == reverse("accounts:enrol_totp")


def test_staff_session_verified_by_email_code_does_not_open_the_admin(client, staff):
    add_totp(staff)
    email_device = add_email_device(staff)
    sign_in_verified(client, staff, email_device)

    response = client.get("/admin/")

    assert urlparse(response["Location"]).path == CHALLENGE


def test_staff_may_use_a_backup_code_for_the_admin(client, staff):
    add_totp(staff)
    backup = add_backup_codes(staff)
    sign_in_verified(client, staff, backup)

    assert client.get("/admin/").status_code == 200


def test_a_verified_parent_never_reaches_the_admin(client, parent, totp_device):
    sign_in_verified(client, parent, totp_device)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:dashboard")
    assert not parent.has_perm("wagtailadmin.access_admin")
    assert "You do not have permission to access the admin." in response.content.decode()


def test_wagtails_own_login_page_is_replaced_by_the_portals(client):
    response = client.get("/admin/login/?next=/admin/pages/")

    assert urlparse(response["Location"]).path == reverse("accounts:sign_in")
    assert next_of(response) == "/admin/pages/"


def test_wagtails_front_end_sign_in_is_the_portals(client, parent):
    response = client.get("/_util/login/?next=/private/")

    assert urlparse(response["Location"]).path == reverse("accounts:sign_in")
    assert next_of(response) == "/private/"
    # Django's bare LoginView (no throttling, no audit) is not reachable.
    client.post("/_util/login/", {"username": parent.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_page_for_signed_in_people_sends_visitors_to_the_portals_sign_in(client):
    page = publish_confidentiality_code()
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(page.url)

    assert urlparse(response["Location"]).path == reverse("accounts:sign_in")
    assert next_of(response) == page.url


def test_staff_account_page_shows_no_parent_data(client, staff):
    device = add_totp(staff)
    sign_in_verified(client, staff, device)

    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 200
    assert "This is a staff account" in response.content.decode()
    assert staff.email not in response.content.decode()


@pytest.mark.parametrize(
    "group", ["Caseworker", "Approver", "Safeguarding lead", "Content editor", "Administrator"]
)
def test_every_staff_group_exists_and_may_open_the_admin(group):
    permission = Permission.objects.get(codename="access_admin")

    assert permission in Group.objects.get(name=group).permissions.all()


def test_only_caseworkers_and_administrators_may_reset_factors():
    allowed = set(
        Group.objects.filter(permissions__codename="reset_factors").values_list("name", flat=True)
    )

    assert allowed == {"Caseworker", "Administrator"}


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename=codename)


@pytest.mark.parametrize("how", ["group", "own permission", "staff flag", "superuser"])
def test_anyone_who_may_open_the_admin_is_a_staff_account(how, django_user_model):
    person = ParentFactory()
    if how == "group":
        person.groups.add(Group.objects.get(name="Content editor"))
    elif how == "own permission":
        person.user_permissions.add(_permission("access_admin"))
    elif how == "staff flag":
        person.is_staff = True
    else:
        person.is_superuser = True
    person.save()

    fresh = django_user_model.objects.get(pk=person.pk)

    assert fresh.is_staff_account
    if how in {"group", "own permission"}:
        # The same answer as Django's own permission check.
        assert fresh.has_perm("wagtailadmin.access_admin")


def test_a_parent_or_a_deactivated_editor_is_not_a_staff_account(django_user_model):
    parent = ParentFactory()
    former = ParentFactory(is_active=False)
    former.groups.add(Group.objects.get(name="Content editor"))
    # A permission the admin does not open with is not enough.
    parent.user_permissions.add(Permission.objects.get(codename="reset_factors"))

    for person in (parent, former):
        fresh = django_user_model.objects.get(pk=person.pk)
        assert not fresh.is_staff_account
        assert not fresh.has_perm("wagtailadmin.access_admin")


def test_every_personal_page_asks_once_whether_a_parent_is_staff(
    parent, django_assert_num_queries, django_user_model
):
    fresh = django_user_model.objects.get(pk=parent.pk)

    with django_assert_num_queries(1):
        assert not fresh.is_staff_account
        assert not fresh.is_staff_account


@pytest.mark.parametrize("how", ["group", "own permission", None])
def test_the_signed_in_person_is_loaded_knowing_whether_they_are_staff(
    how, django_assert_num_queries
):
    person = ParentFactory()
    if how == "group":
        person.groups.add(Group.objects.get(name="Content editor"))
    elif how == "own permission":
        person.user_permissions.add(_permission("access_admin"))

    # What AuthenticationMiddleware does on every request: the person's row
    # and the staff question in one query.
    with django_assert_num_queries(1):
        user = AccountBackend().get_user(person.pk)
        assert user.is_staff_account is (how is not None)


def test_a_parent_made_an_editor_is_turned_away_from_parent_pages_on_their_next_page(
    client, parent, totp_device
):
    sign_in_verified(client, parent, totp_device)
    url = reverse("sar:requests")
    assert client.get(url).status_code == 200

    parent.groups.add(Group.objects.get(name="Content editor"))

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
