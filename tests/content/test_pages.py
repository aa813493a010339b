"""The public pages: home, standard pages, the sitemap, the footer and the
contact details setting."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from content import footer
from content.models import ContactDetails, HomePage, phone_to_uri
from tests.content.factories import StandardPageFactory
from tests.content.page_text import page_soup, soup_of, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard_page(code_page):
    return StandardPageFactory(parent=HomePage.objects.get(), title="About SENDIASS")


def test_home_page_welcomes_and_links_to_the_code_and_sign_in(client, code_page):
    soup = page_soup(client.get("/"))
    main = soup.find("main")
    assert len(soup.find_all("h1")) == 1
    assert "records we keep about you or your child" in text_of(main)
    assert main.find("a", href=code_page.url, string="Read our confidentiality code")
    start = main.select_one("a.govuk-button--start")
    assert start["href"] == "/account/sign-in/"
    assert text_of(start) == "Sign in"


def test_standard_page_renders_its_body(client, standard_page):
    main = page_soup(client.get(standard_page.url)).find("main")
    assert text_of(main.find("h1")) == "About SENDIASS"
    assert text_of(main.find("h2")) == "Who we are"
    assert main.select_one("p.govuk-body b").get_text() == "free"


def test_sitemap_lists_the_home_and_code_pages(client, standard_page, code_page):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    for url in ("http://localhost/", "http://localhost/confidentiality-code/"):
        assert f"<loc>{url}</loc>" in xml
    assert f"<loc>http://localhost{standard_page.url}</loc>" in xml


def test_code_page_links_the_print_stylesheet_and_print_button(client, code_page):
    soup = page_soup(client.get(code_page.url))
    assert soup.find("link", rel="stylesheet", media="print", href=static("portal/build/print.css"))
    button = soup.select_one(".app-print-link")
    assert text_of(button) == "Print this page"
    assert soup.find("script", src=static("content/print.js"), type="module")


def test_missing_page_shows_gov_uk_page_not_found(client, code_page):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in text_of(soup_of(response).find("h1"))


@pytest.mark.parametrize("path", ["/", "/confidentiality-code/", "standard", "/no-such-page/"])
def test_footer_shows_contact_details_and_the_code_on_every_page(
    client, code_page, standard_page, path
):
    details = ContactDetails.for_site(Site.objects.get(is_default_site=True))
    details.phone = "0300 123 4567"
    details.email = "help@example.org"
    details.save()

    response = client.get(standard_page.url if path == "standard" else path)
    footer = soup_of(response).find("footer")
    assert footer.find("a", href="tel:+443001234567", string="0300 123 4567")
    assert footer.find("a", href="mailto:help@example.org")
    assert footer.find("a", href=code_page.url)


def test_a_change_to_the_contact_details_shows_in_the_footer_of_the_next_page(client, code_page):
    # The footer is kept in the cache once drawn (content.footer).
    assert client.get("/").status_code == 200
    details = ContactDetails.for_site(Site.objects.get(is_default_site=True))
    details.phone = "0300 123 4567"
    details.save()

    footer = page_soup(client.get("/")).find("footer")

    assert footer.find("a", href="tel:+443001234567", string="0300 123 4567")


def test_the_footer_follows_the_code_to_its_new_address(client, code_page):
    assert client.get("/").status_code == 200
    code_page.slug = "our-code"
    code_page.save_revision().publish()

    footer = page_soup(client.get("/")).find("footer")

    assert footer.find("a", href="/our-code/", string="Confidentiality code")
    assert not footer.find("a", href="/confidentiality-code/")


def test_the_footer_of_a_page_is_one_cache_read(client, code_page):
    assert client.get("/").status_code == 200
    footer.forget_local()  # as another web process would be
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")

    assert response.status_code == 200
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "contactdetails" not in tables
    assert footer.FOOTER_CACHE_KEY in tables


def test_the_footer_of_the_next_page_in_the_same_process_costs_no_query(client, code_page):
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")

    assert response.status_code == 200
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "contactdetails" not in tables
    assert footer.FOOTER_CACHE_KEY not in tables


@pytest.mark.parametrize(
    ("phone", "uri"),
    [
        ("01865 810516", "+441865810516"),
        ("(01865) 810-516", "+441865810516"),
        ("+44 1865 810516", "+441865810516"),
        ("0300 123 4567", "+443001234567"),
    ],
)
def test_phone_uri_is_international(phone, uri):
    assert phone_to_uri(phone) == uri
    ContactDetails(phone=phone).clean_fields(exclude=["site"])


@pytest.mark.parametrize("phone", ["call us", "12345", "01865 81051x", "0186581051612345"])
def test_contact_details_refuse_a_phone_number_that_cannot_be_dialled(phone):
    with pytest.raises(ValidationError) as error:
        ContactDetails(phone=phone).clean_fields(exclude=["site"])
    assert "phone" in error.value.message_dict


def test_contact_details_refuse_a_bad_email_address():
    with pytest.raises(ValidationError) as error:
        ContactDetails(email="not an email").clean_fields(exclude=["site"])
    assert "email" in error.value.message_dict


def test_administrator_changes_contact_details_in_wagtail_settings(
    client, code_page, admin_client_for, django_user_model
):
    admin = django_user_model.objects.create_superuser(email="admin@example.org", password=None)
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["content", "contactdetails", site.pk])
    staff_client = admin_client_for(admin)
    assert staff_client.get(url).status_code == 200
    form = {
        "service_name": "SENDIASS Oxfordshire",
        "phone": "not a number",
        "email": "SENDIASS@oxfordshire.gov.uk",
        "address": "",
        "opening_hours": "Monday to Friday, 9am to 5pm",
        "confidentiality_page": str(code_page.pk),
    }

    refused = staff_client.post(url, form)
    assert refused.status_code == 200
    assert "Enter a phone number, like 01865 810516" in refused.content.decode()

    assert staff_client.post(url, {**form, "phone": "01865 810 517"}).status_code == 302
    footer = page_soup(client.get("/")).find("footer")
    assert footer.find("a", href="tel:+441865810517")
    assert "Monday to Friday, 9am to 5pm" in text_of(footer)
