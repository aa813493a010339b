"""Passwords are hashed with Argon2id on one lane (one thread per sign-in),
at Django's memory and passes; older hashes still sign in and are rehashed."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse

from tests.portal.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

ONE_LANE = "argon2$argon2id$v=19$m=102400,t=2,p=1$"


def test_a_new_password_is_hashed_on_one_lane_at_djangos_cost(parent):
    parent.set_password("a new password for the test")

    assert parent.password.startswith(ONE_LANE)
    assert parent.check_password("a new password for the test")
    assert not parent.check_password("another password")


def test_a_hash_of_djangos_eight_lanes_signs_in_and_is_rehashed_on_one(client, parent):
    parent.password = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    parent.save(update_fields=["password"])
    assert "p=8$" in parent.password

    response = client.post(
        reverse("accounts:sign_in"), {"email": parent.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    parent.refresh_from_db()
    assert parent.password.startswith(ONE_LANE)
