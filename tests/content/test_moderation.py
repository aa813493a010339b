"""Content editors change pages only through the moderation workflow: they
cannot publish, a moderator approves, and Wagtail keeps every revision."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.shortcuts import resolve_url
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from content.models import ConfidentialityCodePage
from tests.content.factories import ContentEditorFactory, ModeratorFactory
from tests.content.page_text import page_soup, text_of

pytestmark = pytest.mark.django_db

NEW_EXCEPTION = "We will also share information if the law says we must."


def _body_form_data(page: ConfidentialityCodePage, *, exception: str) -> dict:
    """The page's body as the admin's edit form posts it, with the text of the
    exceptions block replaced."""
    blocks = []
    for block in page.body:
        value = block.value
        match block.block_type:
            case "lead":
                blocks.append(("lead", rich_text(value.source)))
            case "section":
                blocks.append(
                    (
                        "section",
                        {"heading": value["heading"], "body": rich_text(value["body"].source)},
                    )
                )
            case "practice_list":
                items = streamfield([("item", rich_text(item.source)) for item in value["items"]])
                blocks.append(("practice_list", {"heading": value["heading"], "items": items}))
            case "exceptions":
                blocks.append(
                    (
                        "exceptions",
                        {"heading": value["heading"], "body": rich_text(f"<p>{exception}</p>")},
                    )
                )
            case "contact_details":
                blocks.append(("contact_details", ""))
    return nested_form_data({"body": streamfield(blocks)})


def _edit(client, page, **action) -> None:
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    form = page_soup(client.get(url))
    data = querydict_from_html(str(form), form_id="page-edit-form").dict()
    data.update(_body_form_data(page, exception=NEW_EXCEPTION))
    data.update(action)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _public_text(client, page) -> str:
    return text_of(page_soup(client.get(page.url)).find("main"))


@pytest.fixture
def editor():
    return ContentEditorFactory()


@pytest.fixture
def moderator():
    return ModeratorFactory()


def test_anonymous_visitor_is_sent_to_sign_in_from_the_admin(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.WAGTAILADMIN_LOGIN_URL))


def test_content_editor_group_may_edit_but_not_publish():
    group = Group.objects.get(name="Content editor")
    root = Page.get_first_root_node()
    codenames = set(
        GroupPagePermission.objects.filter(group=group, page=root).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page", "lock_page"}
    assert group.permissions.filter(codename="access_admin").exists()


def test_code_page_is_under_the_moderators_approval_workflow(code_page):
    workflow = code_page.get_workflow()
    assert workflow.name == "Moderators approval"
    [task] = workflow.tasks.specific()
    assert list(task.groups.values_list("name", flat=True)) == ["Moderators"]


def test_content_editor_cannot_publish(client, code_page, editor, admin_client_for):
    live_revision = code_page.live_revision_id

    _edit(admin_client_for(editor), code_page, **{"action-publish": "action-publish"})

    code_page.refresh_from_db()
    assert code_page.live_revision_id == live_revision
    assert code_page.has_unpublished_changes
    assert NEW_EXCEPTION not in _public_text(client, code_page)


def test_change_goes_live_when_a_moderator_approves_it(
    client, code_page, editor, moderator, admin_client_for
):
    first_revision = code_page.live_revision
    editor_client = admin_client_for(editor)

    _edit(editor_client, code_page, **{"action-submit": "action-submit"})

    code_page.refresh_from_db()
    assert code_page.workflow_in_progress
    task_state = code_page.current_workflow_task_state
    assert task_state.task.name == "Moderators approval"
    assert NEW_EXCEPTION not in _public_text(client, code_page)

    # The editor is not a moderator, so cannot approve their own change.
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[code_page.pk, "approve", task_state.pk]
    )
    refused = editor_client.post(approve, {"comment": ""})
    assert refused.status_code == 302
    assert refused["Location"] == reverse("wagtailadmin_home")  # Wagtail's "permission denied"
    code_page.refresh_from_db()
    assert code_page.workflow_in_progress

    moderator_client = admin_client_for(moderator)
    response = moderator_client.post(approve, {"comment": "Checked with the manager."})
    assert response.status_code == 302

    code_page.refresh_from_db()
    assert not code_page.workflow_in_progress
    assert code_page.live_revision_id != first_revision.pk
    assert NEW_EXCEPTION in _public_text(client, code_page)

    history = moderator_client.get(reverse("wagtailadmin_pages:history", args=[code_page.pk]))
    assert history.status_code == 200
    html = history.content.decode()
    for revision in (first_revision, code_page.live_revision):
        view = reverse("wagtailadmin_pages:revisions_view", args=[code_page.pk, revision.pk])
        assert view in html
    assert code_page.revisions.count() == 2
