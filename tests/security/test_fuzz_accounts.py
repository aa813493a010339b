"""Every account form posted with hostile input (tests/security/fuzzing.py):
sign up, sign in, password reset and change, the second-factor check, setting
up an authenticator app or email codes, asking for a reset of lost factors.
Never a server error; accepted, or refused on the page with nothing stored;
what is accepted is stored as typed (less surrounding spaces)."""

from urllib.parse import urlparse

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import example, given
from hypothesis import strategies as st

from portal.accounts.models import RecoveryRequest, User
from portal.accounts.views.common import PENDING_TOTP_SESSION_KEY
from tests.portal.accounts.factories import totp_for
from tests.sar.factories import PASSWORD
from tests.security.fuzzing import (
    FUZZ,
    any_text,
    choice_or_nasty,
    cleaned,
    nasty_text,
    outcome,
    redirected_to,
    refuses_nul,
    snapshot,
    undone,
)
from tests.security.world import PARENT, PARENT_UNVERIFIED, module_world

pytestmark = pytest.mark.django_db

STRONG = "grey-heron-lantern-77"
UNICODE_PASSWORD = "Pässwörd-الكلمة-😀-\u202e-ok"
# Replaced by a code that works at the moment of posting.
VALID_CODE = "<valid code>"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as built:
        yield built


def emails():
    return st.one_of(st.emails(), st.just("new.parent@example.org"), nasty_text(60))


def passwords():
    return st.one_of(st.just(STRONG), st.just(PASSWORD), nasty_text(60))


def off_site(response) -> bool:
    location = urlparse(response["Location"])
    return bool(location.netloc or location.scheme) or location.path.startswith("//")


# Signing up and in ---------------------------------------------------------------


@FUZZ
@given(
    full_name=any_text(),
    email=emails(),
    password=passwords(),
    confirm_same=st.booleans(),
    confirm=passwords(),
)
@example(
    full_name="  Zoë Ñúñez-Ó'Brien 👩\u200d👧 ",
    email="Zoe@Example.ORG",
    password=STRONG,
    confirm_same=True,
    confirm="",
)
@example(
    full_name="<script>alert(1)</script>\x01",
    email="a@b.co",
    password=STRONG,
    confirm_same=True,
    confirm="",
)
def test_sign_up(world, full_name, email, password, confirm_same, confirm):
    with undone():
        before = snapshot()
        known = set(User.objects.values_list("pk", flat=True))
        response = Client().post(
            reverse("accounts:sign_up"),
            {
                "full_name": full_name,
                "email": email,
                "password": password,
                "password_confirm": password if confirm_same else confirm,
            },
        )

        refuses_nul(response, full_name)
        if outcome(response, before=before):
            assert redirected_to(response) == reverse("accounts:sign_up_done")
            made = User.objects.exclude(pk__in=known)
            for user in made:
                assert user.full_name == cleaned(full_name)
                assert user.check_password(password)


@FUZZ
@given(
    email=st.one_of(st.just("<parent>"), emails()),
    password=passwords(),
    next_url=st.one_of(st.just(""), st.just("/requests/"), nasty_text(40)),
)
@example(email="<parent>", password=PASSWORD, next_url="https://evil.example/")
@example(email="<parent>", password=PASSWORD, next_url="/\\evil.example/\x00")
@example(email="<parent>", password=PASSWORD, next_url="/requests/\r\nSet-Cookie: x=1")
def test_sign_in(world, email, password, next_url):
    if email == "<parent>":
        email = world.users[PARENT].email
    with undone():
        before = snapshot(ignore={"last_login"})
        client = Client()
        response = client.post(
            reverse("accounts:sign_in"), {"email": email, "password": password, "next": next_url}
        )

        if outcome(response, before=before, ignore={"last_login"}):
            assert not off_site(response)
            assert client.session["_auth_user_id"] == str(world.users[PARENT].pk)


@FUZZ
@given(email=st.one_of(st.just("<parent>"), emails()))
def test_password_reset(world, email):
    if email == "<parent>":
        email = world.users[PARENT].email
    with undone():
        before = snapshot()
        response = Client().post(reverse("accounts:password_reset"), {"email": email})

        if outcome(response, before=before):
            assert redirected_to(response) == reverse("accounts:password_reset_sent")
            # Sending a link changes nothing stored.
            assert snapshot() == before


@FUZZ
@given(new=passwords(), confirm_same=st.booleans(), confirm=passwords())
@example(new=UNICODE_PASSWORD, confirm_same=True, confirm="")
def test_choosing_a_new_password_from_the_reset_link(world, new, confirm_same, confirm):
    parent = world.users[PARENT]
    with undone():
        client = Client()
        link = reverse(
            "accounts:password_reset_confirm",
            args=[
                urlsafe_base64_encode(force_bytes(parent.pk)),
                default_token_generator.make_token(parent),
            ],
        )
        form_page = client.get(link)["Location"]
        before = snapshot()
        response = client.post(
            form_page, {"new_password1": new, "new_password2": new if confirm_same else confirm}
        )

        if outcome(response, before=before):
            assert User.objects.get(pk=parent.pk).check_password(new)


@FUZZ
@given(old=st.one_of(st.just(PASSWORD), nasty_text()), new=passwords(), confirm=passwords())
@example(old=PASSWORD, new=UNICODE_PASSWORD, confirm=UNICODE_PASSWORD)
@example(old=PASSWORD, new="  " + STRONG + "\t", confirm="  " + STRONG + "\t")
def test_changing_the_password(world, old, new, confirm):
    parent = world.users[PARENT]
    with undone():
        before = snapshot()
        response = world.client(PARENT).post(
            reverse("accounts:password_change"),
            {"old_password": old, "new_password1": new, "new_password2": confirm},
        )

        if outcome(response, before=before):
            assert User.objects.get(pk=parent.pk).check_password(new)


# Second factors --------------------------------------------------------------------


@FUZZ
@given(
    code=st.one_of(st.just(VALID_CODE), st.just("aaaa1111"), any_text(12), nasty_text()),
    factor=st.one_of(st.just("<app>"), st.just("<backup>"), nasty_text(40)),
    action=choice_or_nasty(["verify", "send"]),
    next_url=st.one_of(st.just("/requests/"), nasty_text(40)),
)
@example(code=VALID_CODE, factor="<app>", action="verify", next_url="//evil.example/")
@example(code="aaaa1111", factor="<backup>", action="verify", next_url="/requests/\x00")
@example(code=VALID_CODE, factor="otp_totp.totpdevice/\x00", action="verify", next_url="")
def test_the_second_factor_check(world, code, factor, action, next_url):
    parent = world.users[PARENT]
    app = world.devices[PARENT]
    factor = {
        "<app>": app.persistent_id,
        "<backup>": parent.staticdevice_set.get().persistent_id,
    }.get(factor, factor)
    with undone():
        if code == VALID_CODE:
            code = totp_for(app).now()
        client = world.client(PARENT_UNVERIFIED)
        before = snapshot()
        response = client.post(
            reverse("accounts:challenge"),
            {"code": code, "factor": factor, "action": action, "next": next_url},
        )

        if response.status_code == 200 and action != "verify":
            # Nothing was checked: the code page again, as asked for.
            assert snapshot() == before
        elif outcome(response, before=before):
            assert not off_site(response)


@FUZZ
@given(code=st.one_of(st.just(VALID_CODE), any_text(12), nasty_text()))
@example(code=VALID_CODE)
def test_setting_up_an_authenticator_app(world, code):
    with undone():
        client = world.client(PARENT)
        client.get(reverse("accounts:enrol_totp"))
        pending = world.users[PARENT].totpdevice_set.get(
            pk=client.session[PENDING_TOTP_SESSION_KEY]
        )
        if code == VALID_CODE:
            code = totp_for(pending).now()
        before = snapshot()
        response = client.post(reverse("accounts:enrol_totp"), {"code": code})

        if outcome(response, before=before):
            pending.refresh_from_db()
            assert pending.confirmed


@FUZZ
@given(code=st.one_of(st.just(VALID_CODE), any_text(12), nasty_text()))
@example(code=VALID_CODE)
def test_setting_up_email_codes(world, code):
    parent = world.users[PARENT]
    with undone():
        client = world.client(PARENT)
        client.post(reverse("accounts:enrol_email"), {"action": "send"})
        pending = parent.emaildevice_set.get(confirmed=False)
        if code == VALID_CODE:
            code = pending.token
        before = snapshot()
        response = client.post(reverse("accounts:enrol_email"), {"action": "verify", "code": code})

        if outcome(response, before=before):
            pending.refresh_from_db()
            assert pending.confirmed


@FUZZ
@given(explanation=st.one_of(any_text(), nasty_text(1200)))
def test_asking_for_lost_factors_to_be_reset(world, explanation):
    with undone():
        before = snapshot()
        response = world.client(PARENT_UNVERIFIED).post(
            reverse("accounts:recovery"), {"explanation": explanation}
        )

        refuses_nul(response, explanation)
        if outcome(response, before=before):
            assert redirected_to(response) == reverse("accounts:recovery_done")
            made = RecoveryRequest.objects.get(user=world.users[PARENT])
            assert made.explanation == cleaned(explanation)
