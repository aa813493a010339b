"""The page forms of the Wagtail admin posted with hostile input
(tests/security/fuzzing.py): editing the confidentiality code, the home page
and a standard page, and adding a standard page, as a content editor (a
draft, or submitted for moderation) and as a superuser (published), with
every part of the form fuzzed: the title, slug and promote fields, the body's
blocks, their rich text (as the editor posts it, or not), and the hidden
fields a browser fills in (block types and ids).

Never a server error. Either accepted (a redirect), with a revision holding
what was typed, the editor opening the page again and the public page still
rendering (hostile markup escaped); or the form again with Wagtail's error
messages, and nothing stored: no page, no revision, no workflow, no log."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import Page, PageLogEntry, Revision, TaskState, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from content.models import ConfidentialityCodePage, HomePage, StandardPage
from content.seed import CODE_SLUG as CODE_PAGE_SLUG
from content.seed import HOME_SLUG as HOME_PAGE_SLUG
from tests.security.fuzzing import (
    FUZZ,
    any_text,
    cleaned,
    has_nul,
    nasty_text,
    outcome,
    plausible_text,
    snapshot,
    undone,
)
from tests.security.world import CONTENT_EDITOR, SUPERUSER, add_superuser, module_world

pytestmark = pytest.mark.django_db

# Each example posts the whole page editor and renders it or the page again.
PAGES = hypothesis_settings(FUZZ, max_examples=20)

# Wagtail's own tables a page form writes to (the content app's tables are in
# the snapshot already).
WAGTAIL_MODELS = (Page, Revision, WorkflowState, TaskState, PageLogEntry)

SCRIPT = "<script>alert(document.cookie)</script>"
LINK = '<a href="https://example.org">a link</a>'
# The world's pages: the home page (content.seed), and under it the code
# and a standard page.
HOME_SLUG = HOME_PAGE_SLUG
CODE_SLUG = CODE_PAGE_SLUG
STANDARD_SLUG = "getting-help"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as built:
        add_superuser(built)
        built.home = HomePage.objects.get()
        built.standard_page = built.home.add_child(
            instance=StandardPage(title="Getting help", slug=STANDARD_SLUG)
        )
        built.standard_page.save_revision().publish()
        yield built


def stored() -> dict:
    """The snapshot of the portal's tables and the rows of Wagtail's."""
    return {
        "portal": snapshot(),
        **{
            model._meta.label: list(model.objects.order_by("pk").values_list("pk", flat=True))
            for model in WAGTAIL_MODELS
        },
    }


def refused_stored_nothing(before: dict) -> None:
    after = stored()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"refused, yet stored changes in {changed}"


# What the editor posts -----------------------------------------------------------


@dataclass(frozen=True)
class Rich:
    """Rich text as the editor posts it: this HTML in the editor's own format
    (converted when the form is posted: the conversion draws random keys,
    which a strategy must not)."""

    html: str


# Each part of the form comes from one of two sets: what an editor might type
# (so that pages are also accepted), or anything at all.
HOSTILE_RICH = [
    Rich(f"<p>{SCRIPT}</p>"),
    Rich('<p><a href="javascript:alert(1)">help</a></p>'),
    Rich("<h1>Not allowed here</h1><ul><li>one</li></ul>"),
    # Not the editor's format: from a forged request.
    "[1, 2]",
    '{"blocks": 5}',
    '{"blocks": [{"text": null}]}',
    "[" * 3000,
]


def rich(*, hostile: bool) -> st.SearchStrategy[Rich | str]:
    """A rich text field as the editor posts it; hostile, also anything else
    a forged request might hold."""
    typed = st.one_of(
        plausible_text(200).map(lambda text: Rich(f"<p>{escape(text)}</p>")),
        st.just(
            Rich('<p><b>Bold</b>, <i>italic</i> and <a href="https://example.org">a link</a></p>')
        ),
    )
    if not hostile:
        return typed
    return st.one_of(
        any_text(200).map(lambda text: Rich(f"<p>{escape(text)}</p>")),
        st.sampled_from(HOSTILE_RICH),
        nasty_text(200),
    )


def text(max_size: int, *, hostile: bool) -> st.SearchStrategy[str]:
    return any_text(max_size) if hostile else plausible_text(min(max_size, 200))


def block_id(*, hostile: bool) -> st.SearchStrategy[str]:
    """The id the editor's script gives each block (a UUID); hostile, also
    none or anything."""
    uuid = st.uuids().map(str)
    return st.one_of(uuid, st.just(""), nasty_text(40)) if hostile else uuid


def code_blocks(hostile: bool) -> dict:
    items = st.lists(st.tuples(block_id(hostile=hostile), rich(hostile=hostile)), max_size=3)
    return {
        "lead": rich(hostile=hostile),
        "section": st.fixed_dictionaries(
            {"heading": text(300, hostile=hostile), "body": rich(hostile=hostile)}
        ),
        "practice_list": st.fixed_dictionaries(
            {"heading": text(60, hostile=hostile), "items": items}
        ),
        "exceptions": st.fixed_dictionaries(
            {"heading": text(60, hostile=hostile), "body": rich(hostile=hostile)}
        ),
        "contact_details": st.just(""),
    }


def standard_blocks(hostile: bool) -> dict:
    return {
        "heading": text(300, hostile=hostile),
        "paragraph": rich(hostile=hostile),
        "contact_details": st.just(""),
    }


def blocks(kinds, *, hostile: bool):
    """Up to three blocks of a body: (type, id, value); hostile, now and then
    one of a type the page does not have."""
    known = st.one_of(
        *[
            st.tuples(st.just(name), block_id(hostile=hostile), value)
            for name, value in kinds(hostile).items()
        ]
    )
    if hostile:
        unknown = st.tuples(nasty_text(20), block_id(hostile=True), any_text())
        known = st.one_of(known, known, known, unknown)
    return st.lists(known, max_size=3)


def slugs(*, current: str | None, taken: str, hostile: bool):
    """A slug as the browser posts it: the page's own (an edit), or one the
    editor's script made from the title or the editor typed; hostile, also
    none, one a sibling has, or anything."""
    typed = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,40}\Z")
    if current:
        typed = st.one_of(st.just(current), typed)
    return st.one_of(st.just(""), st.just(taken), nasty_text(60), typed) if hostile else typed


def page_forms(kinds, *, current: str | None, taken: str, intro: bool = True):
    """What one post of a page form holds: the page's fields (title, slug,
    promote fields, the intro where the page has one) and its body."""

    def form(hostile: bool):
        fields = {
            "title": st.one_of(text(300, hostile=hostile), nasty_text(300))
            if hostile
            else plausible_text(80),
            "slug": slugs(current=current, taken=taken, hostile=hostile),
            "seo_title": st.just("") | text(80, hostile=hostile),
            "search_description": st.just("") | text(300, hostile=hostile),
        }
        if intro:
            fields["intro"] = rich(hostile=hostile)
        return st.tuples(st.fixed_dictionaries(fields), blocks(kinds, hostile=hostile))

    return st.one_of(form(hostile=False), form(hostile=True))


def posted(value):
    return rich_text(value.html) if isinstance(value, Rich) else value


def stream_data(name: str, items) -> dict:
    """A StreamField as the editor posts it (as ``wagtail.test.utils.form_data``
    builds it, with each block's id)."""
    data = {f"{name}-count": str(len(items))}
    for index, (kind, identifier, value) in enumerate(items):
        prefix = f"{name}-{index}"
        data |= {
            f"{prefix}-type": kind,
            f"{prefix}-id": identifier,
            f"{prefix}-deleted": "",
            f"{prefix}-order": str(index),
        }
        if not isinstance(value, dict):
            data[f"{prefix}-value"] = posted(value)
            continue
        for key, part in value.items():
            if key == "items":  # a list block: its items are posted like a stream
                data |= stream_data(
                    f"{prefix}-value-items", [("item", i, text) for i, text in part]
                )
            else:
                data[f"{prefix}-value-{key}"] = posted(part)
    return data


# Posting the form ----------------------------------------------------------------


def form_of(client, url: str) -> dict:
    """The editor's form as the browser would post it untouched, less the
    rich text and the body (which the editor's script builds): each example
    posts its own."""
    response = client.get(url)
    assert response.status_code == 200
    form = querydict_from_html(response.content.decode(), form_id="page-edit-form").dict()
    return {k: v for k, v in form.items() if not k.startswith(("body-", "intro"))}


def post_page(world, role, url, form, *, action, then=None) -> bool:
    """Post ``form`` (the page's fields and body) to the page editor at
    ``url``; when it is accepted, ``then(client)`` checks what was stored
    (before the example is undone). Whether it was accepted."""
    page_fields, body = form
    client = world.client(role)
    data = {
        **form_of(client, url),
        **{name: posted(value) for name, value in page_fields.items()},
        **stream_data("body", body),
        **action,
    }
    with undone():
        before = stored()
        response = client.post(url, data)
        if outcome(response, before=before["portal"], admin=True):
            assert not has_nul(*page_fields.values())
            if then is not None:
                then(client)
            return True
        refused_stored_nothing(before)
        return False


def opens_and_renders(client, page, *, title: str) -> None:
    """The page's newest revision holds the title typed, the editor opens it
    again, and the public page renders with hostile markup escaped."""
    page = Page.objects.get(pk=page.pk).specific
    assert page.get_latest_revision_as_object().title == cleaned(title)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200
    if page.live:
        response = client.get(page.url)
        assert response.status_code == 200
        assert SCRIPT not in response.content.decode()


DRAFT = {}
SUBMIT = {"action-submit": "Submit to Moderators approval"}
PUBLISH = {"action-publish": "Publish"}


# The confidentiality code ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "action"),
    [(CONTENT_EDITOR, DRAFT), (CONTENT_EDITOR, SUBMIT), (SUPERUSER, PUBLISH)],
    ids=["editor-draft", "editor-submit", "superuser-publish"],
)
@PAGES
@given(form=page_forms(code_blocks, current=CODE_SLUG, taken=STANDARD_SLUG, intro=False))
@example(
    form=(
        {"title": f"Our code {SCRIPT}", "slug": CODE_SLUG, "seo_title": SCRIPT},
        [("section", "", {"heading": SCRIPT, "body": Rich(f"<p>{escape(SCRIPT)}</p>")})],
    )
)
def test_editing_the_confidentiality_code(world, role, action, form):
    page = ConfidentialityCodePage.objects.get()
    title = form[0]["title"]

    def then(client):
        opens_and_renders(client, page, title=title)
        live = ConfidentialityCodePage.objects.get()
        if action is PUBLISH:
            assert live.title == cleaned(title)
        else:
            assert live.title == page.title
            assert (live.current_workflow_state is not None) is (action is SUBMIT)

    post_page(
        world,
        role,
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        form,
        action=action,
        then=then,
    )


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        # A block id with a null character: PostgreSQL refuses it in the
        # published page's JSON, so the form does.
        ([("lead", "id\x00", Rich("<p>Hello</p>"))], True),
        ([("lead", "", "\x00")], True),
        ([("section", "", {"heading": "Who we are\x00", "body": Rich("<p>x</p>")})], True),
        # Rich text that is not the editor's own format is kept as text.
        ([("lead", "", f"Not in the editor format {SCRIPT}")], False),
        ([("lead", "", '{"blocks": 5}')], False),
        # A block type the page does not have is left out.
        ([("no-such-block", "", "Hello")], False),
    ],
    ids=[
        "null-in-block-id",
        "null-in-rich-text",
        "null-in-heading",
        "not-contentstate",
        "contentstate-of-another-shape",
        "unknown-block-type",
    ],
)
def test_publishing_the_code_with_what_no_browser_sends(world, body, refused):
    page = ConfidentialityCodePage.objects.get()
    shown = []

    def then(client):
        response = client.get(page.url)
        assert response.status_code == 200
        shown.append(response.content.decode())

    accepted = post_page(
        world,
        SUPERUSER,
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        ({"title": "Our confidentiality code", "slug": page.slug}, body),
        action=PUBLISH,
        then=then,
    )

    assert accepted is not refused
    if accepted:
        assert SCRIPT not in shown[0]
        if body[0][0] == "lead" and "format" in body[0][2]:
            assert f"Not in the editor format {escape(SCRIPT)}" in shown[0]


# The home page and standard pages ------------------------------------------------------


@PAGES
@given(form=page_forms(standard_blocks, current=HOME_SLUG, taken=CODE_SLUG))
def test_editing_the_home_page(world, form):
    page = HomePage.objects.get()

    post_page(
        world,
        CONTENT_EDITOR,
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        form,
        action=DRAFT,
        then=lambda client: opens_and_renders(client, page, title=form[0]["title"]),
    )


@PAGES
@given(form=page_forms(standard_blocks, current=None, taken=STANDARD_SLUG))
def test_adding_a_standard_page(world, form):
    home = HomePage.objects.get()
    made = set(StandardPage.objects.values_list("pk", flat=True))

    def then(client):
        page = StandardPage.objects.exclude(pk__in=made).get()
        assert not page.live
        assert page.current_workflow_state is not None
        opens_and_renders(client, page, title=form[0]["title"])

    post_page(
        world,
        CONTENT_EDITOR,
        reverse("wagtailadmin_pages:add", args=["content", "standardpage", home.pk]),
        form,
        action=SUBMIT,
        then=then,
    )


@PAGES
@given(form=page_forms(standard_blocks, current=STANDARD_SLUG, taken=CODE_SLUG))
def test_publishing_a_standard_page(world, form):
    page = world.standard_page

    def then(client):
        opens_and_renders(client, page, title=form[0]["title"])
        assert StandardPage.objects.get(pk=page.pk).title == cleaned(form[0]["title"])

    post_page(
        world,
        SUPERUSER,
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        form,
        action=PUBLISH,
        then=then,
    )
