"""Publishing the confidentiality code from its Markdown source.

The source (``content/seed/confidentiality-code.md``, a copy of the service's
own text) is parsed into the page's blocks:

- the ``#`` heading becomes the page title (written in block capitals in the
  source, so it is put into sentence case, each word spelt as the rest of the
  text spells it: "SENDIASS Oxfordshire confidentiality code");
- paragraphs before the first ``##`` heading become the lead;
- a ``##`` section holding a bulleted list becomes a practice list;
- a section whose heading mentions exceptions becomes the exceptions block;
- any other section becomes a section of paragraphs, except that a paragraph
  that is only a phone number (after the service's name) or only an email
  link is taken out, fills the Contact details site setting where it is
  blank, and is replaced by a contact details block.

Bold, italic and links are kept; headings lose the bold the source gives them,
since a heading is already bold.
"""

import re
import string
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.html import escape
from markdown_it import MarkdownIt
from markdown_it.token import Token
from wagtail.models import Page, Site

from content.models import ConfidentialityCodePage, ContactDetails, HomePage

CODE_SLUG = "confidentiality-code"
HOME_SLUG = "home"
HOME_TITLE = "Ask for your SENDIASS records"
HOME_INTRO = (
    "<p>Use this service to ask SENDIASS Oxfordshire for the records we keep about you "
    "or your child. You can download a copy, or book an appointment to look at them "
    "with us.</p>"
)

_ALLOWED_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_PHONE_LINE = re.compile(r"^(?P<name>.*?)\s*(?P<phone>(?:\+44\s?|0)\d[\d ]{8,12}\d)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+")


class SeedFormatError(ValueError):
    """The Markdown source has a shape the page's blocks cannot hold."""


@dataclass(frozen=True)
class SeedContact:
    """Contact details found in the source text."""

    service_name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ParsedCode:
    """The confidentiality code as a page title, raw StreamField data and the
    contact details it mentions."""

    title: str
    body: list[dict[str, Any]]
    contact: SeedContact


@dataclass
class _Paragraph:
    html: str
    text: str
    links: list[str]


@dataclass
class _Section:
    heading: str
    paragraphs: list[_Paragraph]
    lists: list[list[_Paragraph]]


def _inline(token: Token) -> _Paragraph:
    """Wagtail's rich text HTML, the plain text and the link targets of one
    inline token."""
    html: list[str] = []
    text: list[str] = []
    links: list[str] = []
    for child in token.children or []:
        match child.type:
            case "text" | "code_inline":
                html.append(escape(child.content))
                text.append(child.content)
            case "strong_open":
                html.append("<b>")
            case "strong_close":
                html.append("</b>")
            case "em_open":
                html.append("<i>")
            case "em_close":
                html.append("</i>")
            case "link_open":
                href = str(child.attrGet("href") or "")
                if not href.startswith(_ALLOWED_LINK_SCHEMES):
                    raise SeedFormatError(f"Link to {href!r}: only web, email and phone links.")
                links.append(href)
                html.append(f'<a href="{escape(href)}">')
            case "link_close":
                html.append("</a>")
            case "softbreak":
                html.append(" ")
                text.append(" ")
            case "hardbreak":
                html.append("<br/>")
                text.append(" ")
            case other:
                raise SeedFormatError(f"Unsupported Markdown in the seed: {other}.")
    return _Paragraph(html="".join(html).strip(), text="".join(text).strip(), links=links)


def _read_blocks(text: str) -> tuple[str, list[_Paragraph], list[_Section]]:
    """Split the Markdown into the title, the lead and the ``##`` sections."""
    title = ""
    lead: list[_Paragraph] = []
    sections: list[_Section] = []
    current_list: list[_Paragraph] | None = None
    heading_level = 0
    tokens = MarkdownIt("commonmark").parse(text)
    for token in tokens:
        match token.type:
            case "heading_open":
                heading_level = int(token.tag[1:])
                if heading_level > 2:
                    raise SeedFormatError("Only # and ## headings are supported.")
            case "heading_close":
                heading_level = 0
            case "bullet_list_open":
                if current_list is not None:
                    raise SeedFormatError("Lists inside lists are not supported.")
                if not sections:
                    raise SeedFormatError("A list needs a ## heading above it.")
                current_list = []
                sections[-1].lists.append(current_list)
            case "bullet_list_close":
                current_list = None
            case "inline" if heading_level == 1:
                if title:
                    raise SeedFormatError("The seed must have exactly one # heading.")
                title = _inline(token).text
            case "inline" if heading_level == 2:
                sections.append(_Section(heading=_inline(token).text, paragraphs=[], lists=[]))
            case "inline" if current_list is not None:
                current_list.append(_inline(token))
            case "inline":
                (sections[-1].paragraphs if sections else lead).append(_inline(token))
            case "paragraph_open" | "paragraph_close" | "list_item_open" | "list_item_close":
                pass
            case other:
                raise SeedFormatError(f"Unsupported Markdown in the seed: {other}.")
    if not title:
        raise SeedFormatError("The seed needs a # heading: the page title.")
    return title, lead, sections


def _sentence_case(heading: str, words: dict[str, Counter]) -> str:
    """A heading in block capitals, in sentence case, each word spelt as the
    body text spells it most often ("SENDIASS" stays, "OXFORDSHIRE" becomes
    "Oxfordshire", "CODE" becomes "code")."""
    if heading != heading.upper():
        return heading
    spelt = []
    for index, word in enumerate(heading.split()):
        core = word.strip(string.punctuation)  # "(GDPR)" is looked up as "GDPR"
        spellings = words.get(core.casefold())
        spelling = spellings.most_common(1)[0][0] if spellings else core.lower()
        if index == 0:
            spelling = spelling[:1].upper() + spelling[1:]
        spelt.append(word.replace(core, spelling, 1))
    return " ".join(spelt)


def _contact_line(paragraph: _Paragraph) -> SeedContact | None:
    """A paragraph that is only contact details: "Name 01234 567890" or an
    email link."""
    if (
        _EMAIL.match(paragraph.text)
        and paragraph.links == [f"mailto:{paragraph.text}"]
        and paragraph.html
        == f'<a href="mailto:{escape(paragraph.text)}">{escape(paragraph.text)}</a>'
    ):
        return SeedContact(email=paragraph.text)
    match = _PHONE_LINE.match(paragraph.text)
    if match and not paragraph.links:
        return SeedContact(service_name=match["name"], phone=match["phone"])
    return None


def _rich_text(paragraphs: list[_Paragraph]) -> str:
    return "".join(f"<p>{paragraph.html}</p>" for paragraph in paragraphs)


def parse_confidentiality_code(text: str) -> ParsedCode:
    """Turn the Markdown source into the page title, its blocks and contact details."""
    title, lead, sections = _read_blocks(text)

    words: dict[str, Counter] = {}
    for paragraph in lead + [p for s in sections for p in s.paragraphs + sum(s.lists, [])]:
        for word in _WORD.findall(_ADDRESS.sub(" ", paragraph.text)):
            words.setdefault(word.casefold(), Counter())[word] += 1

    body: list[dict[str, Any]] = []
    if lead:
        body.append({"type": "lead", "value": _rich_text(lead)})

    contact = {"service_name": "", "phone": "", "email": ""}
    contact_block_added = False
    for section in sections:
        heading = _sentence_case(section.heading, words)
        if section.lists:
            if section.paragraphs or len(section.lists) > 1:
                raise SeedFormatError(
                    f"Section {heading!r}: a list section holds one list and no paragraphs."
                )
            items = [_rich_text([item]) for item in section.lists[0]]
            body.append({"type": "practice_list", "value": {"heading": heading, "items": items}})
            continue
        if "exception" in heading.casefold():
            body.append(
                {
                    "type": "exceptions",
                    "value": {"heading": heading, "body": _rich_text(section.paragraphs)},
                }
            )
            continue
        prose: list[_Paragraph] = []
        found_contact = False
        for paragraph in section.paragraphs:
            line = _contact_line(paragraph)
            if line is None:
                prose.append(paragraph)
                continue
            found_contact = True
            for field in contact:
                contact[field] = contact[field] or getattr(line, field)
        if not prose:
            raise SeedFormatError(f"Section {heading!r} has no paragraphs.")
        body.append({"type": "section", "value": {"heading": heading, "body": _rich_text(prose)}})
        if found_contact and not contact_block_added:
            body.append({"type": "contact_details", "value": None})
            contact_block_added = True

    return ParsedCode(title=_sentence_case(title, words), body=body, contact=SeedContact(**contact))


def _without_ids(data: Any) -> Any:
    """StreamField data with the block ids removed: ids change on every save,
    content does not."""
    if isinstance(data, dict):
        return {key: _without_ids(value) for key, value in data.items() if key != "id"}
    if isinstance(data, list):
        return [_without_ids(item) for item in data]
    return data


def _stream_content(page: ConfidentialityCodePage, raw: Any) -> Any:
    stream_block = page._meta.get_field("body").stream_block
    return _without_ids(stream_block.get_prep_value(stream_block.to_python(raw)))


def _is_default_welcome_page(page: Page) -> bool:
    """Wagtail's "Welcome to your new Wagtail site!" page, untouched."""
    return (
        page.depth == 2
        and page.content_type_id == ContentType.objects.get_for_model(Page).pk
        and page.get_children_count() == 0
    )


def ensure_home_page(*, user=None) -> HomePage:
    """The site's home page, created if missing, with the default Site pointing
    at it. Wagtail's own placeholder "Welcome" page is removed."""
    site = Site.objects.filter(is_default_site=True).first()
    home = HomePage.objects.first()
    if home is None:
        # A database emptied by `flush` has no tree root at all: make one.
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        for placeholder in Page.objects.filter(depth=2, slug=HOME_SLUG):
            if _is_default_welcome_page(placeholder):
                # A Site is deleted with its root page, so move it off first.
                Site.objects.filter(root_page=placeholder).update(root_page=root)
                placeholder.delete()
        slug_taken = root.get_children().filter(slug=HOME_SLUG).exists()
        home = HomePage(
            title=HOME_TITLE,
            slug="sendiass-home" if slug_taken else HOME_SLUG,
            intro=HOME_INTRO,
            live=False,
        )
        root.add_child(instance=home)
        home.save_revision(user=user, log_action=True).publish(user=user)
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=settings.SERVICE_NAME,
        )
    elif site.root_page_id != home.pk:
        site.refresh_from_db()
        site.root_page = home
        site.save()
    return home


def _fill_contact_details(*, contact: SeedContact, page: ConfidentialityCodePage) -> None:
    """Fill the default site's Contact details where they are blank; never
    overwrite what staff have set."""
    site = Site.objects.get(is_default_site=True)
    details = ContactDetails.for_site(site)
    changed = False
    for field in ("service_name", "phone", "email"):
        value = getattr(contact, field)
        if value and not getattr(details, field):
            setattr(details, field, value)
            changed = True
    if details.confidentiality_page_id is None:
        details.confidentiality_page = page
        changed = True
    if changed:
        details.full_clean()
        details.save()


def publish_confidentiality_code(
    *, source: Path | None = None, user=None, overwrite: bool = True
) -> ConfidentialityCodePage:
    """Create or update the confidentiality code page from its Markdown source.

    A new revision is saved and published only when the source differs from the
    live revision, so running this again changes nothing. It also makes sure
    the site has its home page and fills blank contact details.

    With ``overwrite`` (the management command), the source is the record of
    what the code says: a change an editor published through the admin is
    replaced by the source text. Without it (the demo data loaded at every
    start-up) an existing page is left as the editors made it.
    """
    source = Path(source or settings.CONFIDENTIALITY_SEED)
    parsed = parse_confidentiality_code(source.read_text(encoding="utf-8"))

    with transaction.atomic():
        home = ensure_home_page(user=user)
        page = ConfidentialityCodePage.objects.select_for_update().first()
        if page is None:
            page = ConfidentialityCodePage(
                title=parsed.title, slug=CODE_SLUG, body=parsed.body, live=False
            )
            home.add_child(instance=page)
            page.save_revision(user=user, log_action=True).publish(user=user)
        elif overwrite:
            live = page.live_revision.as_object() if page.live_revision else None
            unchanged = (
                live is not None
                and page.live
                and live.title == parsed.title
                and _stream_content(page, live.body) == _stream_content(page, parsed.body)
            )
            if not unchanged:
                page.title = parsed.title
                page.body = parsed.body
                page.save_revision(user=user, log_action=True).publish(user=user)
        page.refresh_from_db()
        _fill_contact_details(contact=parsed.contact, page=page)
    return page
