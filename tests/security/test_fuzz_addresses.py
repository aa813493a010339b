"""Hostile query strings on every page that takes no arguments (searches,
filters, sorting, pages of results, ``next``, dates in the address), for a
visitor, a verified parent and a superuser who may open every admin screen:
never a server error. Every address gets the same hand-picked query once;
hypothesis then tries its own on addresses it picks. And bodies a browser
would never send (not UTF-8, a NUL in a field's name) posted to each."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.security.fuzzing import FUZZ, SAMPLES, nasty_text, undone
from tests.security.site_urls import sample_path, site_urls
from tests.security.world import ANONYMOUS, PARENT, SUPERUSER, add_superuser, module_world

pytestmark = pytest.mark.django_db

ROLES = (ANONYMOUS, PARENT, SUPERUSER)
# What listings, searches and journeys read from the address.
PARAMETERS = [
    "q",
    "p",
    "page",
    "ordering",
    "next",
    "date",
    "start",
    "email",
    "status",
    "caseworker",
    "clock",
    "action",
    "timestamp_after",
    "return",
    "step_up",
    "factor",
    "locale",
    "content_type",
    "collection_id",
]
HOSTILE_QUERY = {name: "\x00<script>'\u202e😀" + "x" * 300 for name in PARAMETERS}
# Signing out (POST only), and Wagtail's page that fails on purpose for
# superusers, to test error reporting.
SKIPPED = {"wagtailadmin_logout", "accounts:sign_out", "wagtailadmin_error_test"}
ADDRESSES = sorted(
    {
        sample_path(url)
        for url in site_urls()
        if not url.chain[-1].pattern.converters
        and "<" not in url.route
        and "(?P" not in url.route
        and url.key not in SKIPPED
    }
)


def _says_a_component_is_down(address: str, response) -> bool:
    """/health/service/ answers 503 on purpose when no worker runs (as here)."""
    return address == "/health/service/" and response.status_code == 503


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as built:
        add_superuser(built)
        yield built


@pytest.mark.parametrize("role", ROLES)
def test_every_page_takes_a_hostile_query(world, role):
    client = world.client(role)
    failures = []
    for address in ADDRESSES:
        with undone():
            response = client.get(address, HOSTILE_QUERY)
        if response.status_code >= 500 and not _says_a_component_is_down(address, response):
            failures.append(f"{address}: {response.status_code}")
    assert not failures, failures


@pytest.mark.parametrize("role", ROLES)
@FUZZ
@given(
    address=st.sampled_from(ADDRESSES),
    query=st.dictionaries(
        st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)),
        st.one_of(nasty_text(60), st.lists(st.sampled_from(SAMPLES), max_size=3)),
        max_size=4,
    ),
)
def test_any_page_takes_any_query(world, role, address, query):
    with undone():
        response = world.client(role).get(address, query)

    assert response.status_code < 500 or _says_a_component_is_down(address, response)


# Form bodies that are not what a browser sends.
RAW_BODIES = [
    b"full_name=%FF%FE%FD&email=%C0%80%00&answer=%ED%A0%80",
    b"\xff\xfe\x00=\x00\xc3&reason=\xe2\x82",
    b"a%00b=c&%00=%00&next=%00%0d%0aLocation:%20https://evil.example/",
]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_takes_a_body_that_is_not_utf8(world, role):
    client = world.client(role)
    failures = []
    for address in ADDRESSES:
        if role == SUPERUSER and not address.startswith(("/admin/requests/", "/admin/app")):
            continue  # Wagtail's own screens: checked for visitors and parents
        for body in RAW_BODIES:
            with undone():
                response = client.post(
                    address, data=body, content_type="application/x-www-form-urlencoded"
                )
            if response.status_code >= 500 and not _says_a_component_is_down(address, response):
                failures.append(f"{address}: {response.status_code}")
    assert not failures, failures


def test_the_addresses_include_the_admin_and_the_parents_pages():
    assert reverse("sar_admin:dashboard") in ADDRESSES
    assert reverse("appointments:book_time") in ADDRESSES
    assert reverse("wagtailadmin_pages:search") in ADDRESSES
