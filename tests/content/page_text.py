"""Reading a rendered page as a person would: its text and elements."""

import re

from bs4 import BeautifulSoup


def soup_of(response) -> BeautifulSoup:
    """The response's HTML, whatever its status."""
    return BeautifulSoup(response.content.decode(), "html.parser")


def page_soup(response) -> BeautifulSoup:
    """The HTML of a page that must have rendered (200)."""
    assert response.status_code == 200, response.status_code
    return soup_of(response)


def text_of(element) -> str:
    """An element's text as a reader gets it, with whitespace collapsed."""
    return re.sub(r"\s+", " ", element.get_text()).strip()
