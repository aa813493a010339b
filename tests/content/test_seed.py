"""The confidentiality code as published says everything the service's own
text says, in order, and publishing it again changes nothing."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.timezone import localtime
from wagtail.models import Page, Revision, Site

from content.models import ConfidentialityCodePage, ContactDetails, HomePage
from content.seed import SeedFormatError, parse_confidentiality_code, publish_confidentiality_code
from tests.content.page_text import page_soup, text_of

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
REPO_SEED = REPO / "content" / "seed" / "confidentiality-code.md"
SHARED_SEED = REPO.parent / "shared" / "seed" / "confidentiality-code.md"
SEED = SHARED_SEED if SHARED_SEED.is_file() else REPO_SEED

# A line that is only the service's name and phone number, or only an email
# address: the page shows these from the Contact details setting instead.
PHONE_LINE = re.compile(r"^(?P<name>.*?)\s*(?P<phone>0\d[\d ]{8,12}\d)$")
EMAIL_LINE = re.compile(r"^[^@\s]+@[^@\s]+$")


def _plain(markdown: str) -> str:
    """Markdown inline text as a reader sees it: no ** and link text only."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def _read_seed() -> dict:
    """The seed read line by line, independently of the code under test."""
    seed = {"title": "", "headings": [], "paragraphs": [], "items": [], "in_order": []}
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("## "):
            kind, text = "headings", _plain(line[3:])
        elif line.startswith("# "):
            seed["title"] = _plain(line[2:])
            continue
        elif line.startswith("- "):
            kind, text = "items", _plain(line[2:])
        elif line:
            kind, text = "paragraphs", _plain(line)
        else:
            continue
        seed[kind].append(text)
        seed["in_order"].append(text)
    return seed


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if s]


def _main(client, page):
    return page_soup(client.get(page.url)).find("main")


def test_repo_copy_of_seed_is_byte_identical_to_the_shared_source():
    if not SHARED_SEED.is_file():
        pytest.skip("no shared seed beside the repository")
    assert REPO_SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_published_page_says_everything_the_seed_says(client, code_page):
    seed = _read_seed()
    main = _main(client, code_page)
    text = text_of(main)

    # The title is the seed's heading in sentence case, not block capitals.
    assert text_of(main.find("h1")).casefold() == seed["title"].casefold()
    assert [text_of(h) for h in main.find_all("h2")] == seed["headings"]

    for paragraph in seed["paragraphs"]:
        if contact := PHONE_LINE.match(paragraph):
            assert contact["name"] in text
            assert contact["phone"] in text
        elif EMAIL_LINE.match(paragraph):
            assert paragraph in text
        else:
            for sentence in _sentences(paragraph):
                assert sentence in text, sentence

    items = [text_of(li) for li in main.select("ul.govuk-list--bullet > li")]
    assert items == seed["items"]


def test_bold_text_stays_bold(client, code_page):
    bold = [text_of(b) for b in _main(client, code_page).find_all(["b", "strong"])]
    assert "strict confidence" in bold
    assert "no matter who they are" in bold
    assert (
        "Any written information concerning service users will conform to the "
        + ("requirements of the GDPR.")
        in bold
    )


def test_seed_text_appears_in_the_same_order(client, code_page):
    seed = _read_seed()
    text = text_of(_main(client, code_page))
    # Contact lines are laid out from the setting, so they are left out here.
    anchors = [
        line for line in seed["in_order"] if not (PHONE_LINE.match(line) or EMAIL_LINE.match(line))
    ]
    positions = [text.index(_sentences(anchor)[0]) for anchor in anchors]
    assert positions == sorted(positions)


def test_page_has_one_h1_and_headings_in_order(client, code_page):
    soup = page_soup(client.get(code_page.url))
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert levels.count(1) == 1
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_phone_and_email_are_links_from_the_contact_details_setting(client, code_page):
    main = _main(client, code_page)
    phone = main.select_one('a[href^="tel:"]')
    email = main.select_one('a[href^="mailto:"]')
    assert phone["href"] == "tel:+441865810516"
    assert text_of(phone) == "01865 810516"
    assert email["href"] == "mailto:SENDIASS@oxfordshire.gov.uk"

    details = ContactDetails.for_site(Site.objects.get(is_default_site=True))
    details.phone = "0300 123 4567"
    details.email = "help@example.org"
    details.save()

    main = _main(client, code_page)
    assert main.select_one('a[href^="tel:"]')["href"] == "tel:+443001234567"
    assert text_of(main.select_one('a[href^="tel:"]')) == "0300 123 4567"
    assert main.select_one('a[href^="mailto:"]')["href"] == "mailto:help@example.org"
    assert "01865 810516" not in text_of(main)


def test_exception_is_shown_as_warning_text(client, code_page):
    warning = _main(client, code_page).select_one(".govuk-warning-text")
    assert "a child is at risk" in text_of(warning)


def test_page_shows_when_the_live_revision_was_written(client, code_page):
    main = _main(client, code_page)
    written = localtime(code_page.live_revision.created_at)
    when = main.select_one(".app-last-updated time")
    assert when["datetime"] == written.isoformat()
    assert text_of(when) == f"{written.day} {written:%B %Y}"
    assert text_of(main.select_one(".app-last-updated")).startswith("Last updated:")


def test_publishing_twice_makes_no_new_revision(code_page):
    revisions = Revision.objects.count()
    live_revision = code_page.live_revision_id

    again = publish_confidentiality_code()

    assert again.pk == code_page.pk
    assert again.live_revision_id == live_revision
    assert Revision.objects.count() == revisions
    assert ConfidentialityCodePage.objects.count() == 1
    assert HomePage.objects.count() == 1


def test_a_changed_seed_publishes_a_new_revision(code_page, tmp_path):
    changed = tmp_path / "code.md"
    changed.write_text(
        REPO_SEED.read_text(encoding="utf-8").replace("locked filing cabinets", "locked cupboards"),
        encoding="utf-8",
    )

    page = publish_confidentiality_code(source=changed)

    assert page.live_revision_id != code_page.live_revision_id
    assert page.revisions.count() == 2
    assert "locked cupboards" in str(page.body)


def test_seed_replaces_wagtails_welcome_page_and_becomes_the_site_root(code_page):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert code_page.get_parent().pk == site.root_page_id
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()
    assert code_page.url == "/confidentiality-code/"


def test_seed_fills_blank_contact_details_and_keeps_set_ones(db):
    site = Site.objects.get(is_default_site=True)
    ContactDetails.objects.create(site=site, phone="0300 000 0000")

    page = publish_confidentiality_code()

    details = ContactDetails.for_site(site)
    assert details.phone == "0300 000 0000"
    assert details.email == "SENDIASS@oxfordshire.gov.uk"
    assert details.service_name == "SENDIASS Oxfordshire"
    assert details.confidentiality_page_id == page.pk


def test_seed_maps_to_blocks():
    parsed = parse_confidentiality_code(REPO_SEED.read_text(encoding="utf-8"))

    assert parsed.title == "SENDIASS Oxfordshire confidentiality code"
    assert [block["type"] for block in parsed.body] == [
        "lead",
        "section",
        "section",
        "contact_details",
        "practice_list",
        "exceptions",
    ]
    assert "<b>strict confidence</b>" in parsed.body[0]["value"]
    assert parsed.body[1]["value"]["heading"] == "What it means to us"
    assert len(parsed.body[4]["value"]["items"]) == 6
    assert parsed.contact.phone == "01865 810516"
    assert parsed.contact.email == "SENDIASS@oxfordshire.gov.uk"
    assert parsed.contact.service_name == "SENDIASS Oxfordshire"


@pytest.mark.parametrize(
    "markdown",
    [
        "# Title\n\n### Too deep\n",
        "# Title\n\n## Section\n\n```\ncode\n```\n",
        "# Title\n\n## Section\n\n[a file](ftp://example.org/file)\n",
        "No title at all.\n",
    ],
)
def test_seed_refuses_markdown_the_page_cannot_hold(markdown):
    with pytest.raises(SeedFormatError):
        parse_confidentiality_code(markdown)


def test_management_commands_are_idempotent(db):
    call_command("load_demo_data")
    revisions = Revision.objects.count()

    call_command("load_demo_data")
    call_command("publish_confidentiality_code")

    assert Revision.objects.count() == revisions
    assert ConfidentialityCodePage.objects.live().count() == 1


def test_title_in_block_capitals_is_spelt_as_the_text_spells_each_word():
    parsed = parse_confidentiality_code(
        "# OUR CODE UNDER THE GDPR (UK)\n\nOur code follows the UK GDPR.\n"
    )
    assert parsed.title == "Our code under the GDPR (UK)"
