"""The public pages in a real browser: they render, pass an axe-core audit,
reflow at 320px and run no script the Content-Security-Policy blocks."""

import pytest

from content.models import ConfidentialityCodePage
from content.seed import publish_confidentiality_code
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def code_page():
    publish_confidentiality_code()
    return ConfidentialityCodePage.objects.live().get()


def test_home_page_is_accessible_and_links_to_the_code(page, console_errors, code_page):
    page.goto("/")

    assert page.locator("h1").count() == 1
    assert_accessible(page)
    page.get_by_role("link", name="confidentiality code").first.click()
    assert page.url.rstrip("/").endswith(code_page.url.rstrip("/"))
    assert console_errors == []


def test_confidentiality_code_page_is_accessible(page, console_errors, code_page):
    page.goto(code_page.url)

    assert page.locator("h1").count() == 1
    assert "strict confidence" in page.locator("main").inner_text()
    assert_accessible(page)
    # GOV.UK Frontend's JavaScript ran: the CSP nonce let the js-enabled line through.
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    assert console_errors == []


def test_skip_link_is_the_first_thing_keyboard_users_reach(page, code_page):
    page.goto(code_page.url)
    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"


@pytest.mark.parametrize("path", ["/", "code"])
def test_pages_reflow_at_320_pixels_without_sideways_scrolling(phone_page, code_page, path):
    phone_page.goto(code_page.url if path == "code" else path)

    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320
    assert_accessible(phone_page)
