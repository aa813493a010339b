"""Asking for records through the pages: each question, its errors in the
error summary with the field linked, answers kept after an error, check your
answers, sending once, and the confirmation."""

import datetime
import html as html_lib
import re
import warnings

import pytest
import time_machine
from django.core.cache import cache
from django.core.cache.backends.base import CacheKeyWarning
from django.core.management import call_command

from sar import deadlines
from sar.exceptions import RuleViolation
from sar.models import AccessRequest, Child, Relationship, SubjectKind
from sar.views.answers import SESSION_KEY
from sar.views.journey import _send_key
from sar.workflow import messages
from tests.sar.factories import ChildFactory
from tests.sar.views.journey import Journey, child_details, url, verify

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def summary(response) -> list[tuple[str, str]]:
    """The error summary's (href, text) pairs."""
    html = response.content.decode()
    block = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert block, "no error summary on the page"
    return [
        (href, html_lib.unescape(re.sub(r"\s+", " ", label)).strip())
        for href, label in re.findall(r'<a href="([^"]+)">(.*?)</a>', block.group(1), re.S)
    ]


def assert_error(response, href, message):
    assert response.status_code == 200
    assert (href, message) in summary(response), summary(response)
    assert "<title>Error: " in response.content.decode()


# Start and the first questions -------------------------------------------------------


def test_start_page_says_what_you_can_ask_for_how_long_and_what_next(parent_client, code_page):
    response = parent_client.get(url("start"))

    page = text(response)
    assert "Ask for your records" in page
    assert "What you can ask for" in page
    assert "within one calendar month" in page
    assert "What happens next" in page
    assert f'href="{code_page.url}"' in page
    assert f'href="{url("who")}"' in page


def test_who_question_without_an_answer_is_an_error_linked_to_the_first_option(journey):
    response = journey.post("who", {})

    assert_error(response, "#id_about_0", "Select who you want records about")


def test_choosing_me_goes_straight_to_which_records(journey):
    response = journey.who("me")

    assert response["Location"] == url("what")
    assert journey.answers()["about"] == "me"


def test_choosing_a_child_with_none_saved_goes_to_add_a_child(journey):
    assert journey.who("child")["Location"] == url("child_add")


def test_choosing_a_child_with_children_saved_before_offers_them(journey, parent):
    ChildFactory(parent=parent, full_name="Robin Saved", date_of_birth=datetime.date(2014, 2, 1))

    assert journey.who("both")["Location"] == url("children")
    page = text(journey.client.get(url("children")))
    assert "Which child do you want records about?" in page
    assert "Robin Saved" in page
    assert "Born 1 February 2014" in page
    assert "A child not listed here" in page


# The child's details ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "href", "message", "highlighted"),
    [
        (("31", "2", "2015"), "#id_date_of_birth_day", "Date of birth must be a real date", 3),
        (("", "", ""), "#id_date_of_birth_day", "Enter the child’s date of birth", 3),
        (("3", "", "2015"), "#id_date_of_birth_month", "Date of birth must include a month", 1),
        (
            ("", "", "2015"),
            "#id_date_of_birth_day",
            "Date of birth must include a day and month",
            2,
        ),
        (("3", "5", "15"), "#id_date_of_birth_year", "Year must include 4 numbers", 1),
        (("3", "13", "2015"), "#id_date_of_birth_day", "Date of birth must be a real date", 3),
    ],
)
def test_date_of_birth_errors_follow_the_govuk_date_pattern(
    journey, born, href, message, highlighted
):
    day, month, year = born
    data = child_details()
    data.update(date_of_birth_day=day, date_of_birth_month=month, date_of_birth_year=year)

    response = journey.post("child_add", data)

    assert_error(response, href, message)
    html = response.content.decode()
    assert html.count("govuk-date-input__input govuk-input--width-") == 3
    assert len(re.findall(r"govuk-date-input__input[^\"]*govuk-input--error", html)) == highlighted


def test_a_date_of_birth_today_or_later_must_be_in_the_past(journey):
    tomorrow = deadlines.today() + datetime.timedelta(days=1)

    response = journey.post(
        "child_add", child_details(born=(tomorrow.day, tomorrow.month, tomorrow.year))
    )

    assert_error(response, "#id_date_of_birth_day", "Date of birth must be in the past")


def test_month_names_are_understood(journey):
    response = journey.post("child_add", child_details(born=("3", "Feb", "2015")))

    assert response.status_code == 302
    assert journey.answers()["children"][0]["date_of_birth"] == "2015-02-03"


def test_answers_are_kept_after_an_error(journey):
    data = child_details(name="Sam Kept", born=("31", "2", "2015"), school_or_setting="Oak School")

    html = journey.post("child_add", data).content.decode()

    assert 'value="Sam Kept"' in html
    assert 'value="Oak School"' in html
    assert 'name="date_of_birth_day" type="text" inputmode="numeric" value="31"' in html
    assert 'name="date_of_birth_month" type="text" inputmode="numeric" value="2"' in html
    assert re.search(r'value="mother"\s+checked', html)


def test_an_empty_child_page_lists_every_missing_answer_in_page_order(journey):
    response = journey.post("child_add", {})

    assert [href for href, _ in summary(response)] == [
        "#id_full_name",
        "#id_date_of_birth_day",
        "#id_relationship_0",
        "#id_has_parental_responsibility_0",
        "#id_has_court_order_0",
    ]


def test_other_relationship_and_a_court_order_need_their_details(journey):
    response = journey.post(
        "child_add",
        child_details(relationship="other", relationship_other="", has_court_order="yes"),
    )

    assert ("#id_relationship_other", "Enter your relationship to the child.") in summary(response)
    assert ("#id_court_order", "Enter the details of the court order") in summary(response)
    # Revealed questions sit inside their option, shown because it is chosen.
    html = response.content.decode()
    assert 'data-app-reveal="conditional-id_relationship_5"' in html
    assert 'class="govuk-radios__conditional" id="conditional-id_relationship_5"' in html
    assert "sar/reveal.js" in html


def test_add_another_child_then_change_and_remove(journey):
    journey.who("child")
    assert journey.add_child(name="First Child")["Location"] == url("children")
    page = text(journey.client.get(url("children")))
    assert "You have added 1 child" in page
    assert "Do you need to add another child?" in page

    assert journey.post("children", {"choice": "new"})["Location"] == url("child_add")
    journey.add_child(name="Second Child", born=(1, 1, 2012))
    [first, second] = journey.answers()["children"]

    # Change the first one's name.
    change = journey.client.get(url("child_change", first["key"]))
    assert 'value="First Child"' in change.content.decode()
    journey.post("child_change", child_details(name="First Renamed"), first["key"])
    assert journey.answers()["children"][0]["full_name"] == "First Renamed"

    # Remove the second (after saying yes).
    confirm = journey.client.get(url("child_remove", second["key"]))
    assert "Are you sure you want to remove Second Child?" in text(confirm)
    assert_error(
        journey.post("child_remove", {}, second["key"]),
        "#id_confirm_0",
        "Select yes if you want to remove Second Child from your request",
    )
    journey.post("child_remove", {"confirm": "yes"}, second["key"])
    assert [c["full_name"] for c in journey.answers()["children"]] == ["First Renamed"]

    assert journey.children_done()["Location"] == url("what")


def test_add_another_question_needs_an_answer(journey):
    journey.who("child")
    journey.add_child()

    assert_error(
        journey.post("children", {}), "#id_choice_0", "Select yes if you need to add another child"
    )


def test_another_parents_child_cannot_be_added_by_id(journey, parent, other_parent):
    ChildFactory(parent=parent)
    theirs = ChildFactory(parent=other_parent)
    journey.who("child")

    response = journey.post("children", {"choice": f"saved-{theirs.pk}"})

    # Not one of the choices offered: a validation error, never their child.
    assert response.status_code == 200
    assert journey.answers()["children"] == []


def test_a_key_not_in_the_request_is_not_found(journey):
    assert journey.client.get(url("child_change", "nope")).status_code == 404
    assert journey.client.get(url("child_remove", "nope")).status_code == 404


# Which records, how, help ----------------------------------------------------------


def test_specific_records_ask_for_dates_or_topics_on_their_own_page(journey):
    assert journey.what("specific")["Location"] == url("what_detail")

    response = journey.post("what_detail", {})

    assert_error(response, "#id_date_from_day", messages.SCOPE_DETAIL_REQUIRED)
    assert "Tell us which records you want" in text(response)


def test_a_date_range_must_run_forwards(journey):
    response = journey.post(
        "what_detail",
        {
            "date_from_day": "1",
            "date_from_month": "9",
            "date_from_year": "2024",
            "date_to_day": "1",
            "date_to_month": "9",
            "date_to_year": "2023",
        },
    )

    assert_error(response, "#id_date_to_day", messages.DATE_RANGE_REVERSED)


def test_a_from_date_in_the_future_is_refused(journey):
    next_year = deadlines.today().year + 1

    response = journey.post(
        "what_detail",
        {"date_from_day": "1", "date_from_month": "1", "date_from_year": str(next_year)},
    )

    assert_error(response, "#id_date_from_day", "The ‘from’ date must be today or in the past")


def test_choosing_everything_after_specific_forgets_the_dates_and_topics(journey):
    journey.what("specific")
    journey.post("what_detail", {"topics": "Annual review"})
    assert journey.answers()["topics"] == "Annual review"

    assert journey.what("everything")["Location"] == url("how")

    answers = journey.answers()
    assert answers["scope"] == "everything"
    assert answers["topics"] == ""
    assert answers["date_from"] is None


def test_specific_without_details_is_missing_on_check_answers(journey):
    journey.what("specific")

    page = text(journey.client.get(url("check")))

    assert f'href="{url("what_detail")}?return=check"' in page


def test_how_needs_an_answer(journey):
    assert_error(
        journey.post("how", {}), "#id_delivery_0", "Select how you want to get your records"
    )


def test_adjustments_need_an_answer_and_none_is_exclusive(journey):
    assert_error(
        journey.post("adjustments", {}),
        "#id_adjustments_0",
        "Select the help you need, or select ‘No, I do not need any of these’",
    )
    assert_error(
        journey.adjustments("large_print", "none"),
        "#id_adjustments_0",
        "Select ‘No, I do not need any of these’ or the help you need, not both",
    )
    response = journey.adjustments("interpreter", "other")
    assert ("#id_interpreter_language", messages.INTERPRETER_LANGUAGE_REQUIRED) in summary(response)
    assert ("#id_adjustment_other", messages.ADJUSTMENT_OTHER_REQUIRED) in summary(response)
    # The "none" checkbox is exclusive (GOV.UK Frontend unticks the others).
    assert 'value="none" data-behaviour="exclusive"' in response.content.decode()


# The confidentiality code ------------------------------------------------------------


def test_code_page_shows_the_live_code_and_needs_the_box_ticked(journey, code_page):
    page = journey.client.get(url("code"))
    html = text(page)
    assert code_page.title in html
    assert "The only exception to confidentiality" in html
    assert "I have read the confidentiality code" in html

    assert_error(journey.post("code", {}), "#id_acknowledged", messages.CODE_NOT_ACKNOWLEDGED)

    journey.code()
    assert journey.answers()["code_revision_id"] == code_page.live_revision.pk


def test_without_a_published_code_there_is_nothing_to_acknowledge(parent_client):
    response = parent_client.get(url("code"))

    assert response.status_code == 200
    assert "We cannot show you the confidentiality code at the moment" in text(response)
    assert 'name="acknowledged"' not in response.content.decode()


# Check your answers -----------------------------------------------------------------------


def test_check_answers_with_nothing_answered_says_what_is_missing(parent_client):
    response = parent_client.get(url("check"))

    page = text(response)
    assert response.status_code == 200
    assert f'href="{url("who")}?return=check"' in page
    assert "Select who you want records about" in page
    assert "Read the confidentiality code and confirm you have read it" in page


def test_sending_with_answers_missing_shows_them_in_the_error_summary(journey):
    journey.who("me")
    response = journey.send()

    assert_error(response, "#answer-what", "Select which records you want")
    assert (
        "#answer-code",
        "Read the confidentiality code and confirm you have read it",
    ) in summary(response)
    assert AccessRequest.objects.count() == 0


def test_check_answers_shows_every_answer_with_change_links(journey, code_page):
    journey.who("both")
    journey.add_child(
        name="Alex Example",
        relationship="other",
        relationship_other="Grandmother",
        has_court_order="yes",
        court_order="Child arrangements order, 2021",
    )
    journey.children_done()
    journey.what("specific")
    journey.post(
        "what_detail",
        {
            "topics": "EHC needs assessment",
            "date_from_day": "1",
            "date_from_month": "9",
            "date_from_year": "2022",
        },
    )
    journey.how("appointment")
    journey.adjustments("interpreter", interpreter_language="Polish")
    journey.code()

    page = text(journey.client.get(url("check")))

    for words in (
        "Me and my child or children",
        "Alex Example",
        "3 May 2015",
        "Riverside Primary School",
        "Grandmother",
        "Child arrangements order, 2021",
        "Specific records",
        "From 1 September 2022",
        "EHC needs assessment",
        "To look at them at an appointment",
        "An interpreter",
        "Interpreter language: Polish",
        "You have read it",
    ):
        assert words in page, words
    for name in ("who", "what", "how", "adjustments", "code"):
        assert f'href="{url(name)}?return=check"' in page


def test_a_change_link_brings_you_back_to_check_answers(journey):
    journey.about_me_to_check()

    back = journey.client.get(url("how") + "?return=check")
    assert 'class="govuk-back-link"' in back.content.decode()
    assert f'href="{url("check")}" class="govuk-back-link"' in back.content.decode()
    response = journey.post("how", {"delivery": "appointment"}, query="?return=check")

    assert response["Location"] == url("check")
    assert journey.answers()["delivery"] == "appointment"


def test_changing_to_include_a_child_asks_for_the_child_first(journey):
    journey.about_me_to_check()

    response = journey.post("who", {"about": "both"}, query="?return=check")

    assert response["Location"] == url("child_add") + "?return=check"


def test_back_links_go_to_the_page_before(journey):
    journey.who("me")
    html = journey.client.get(url("what")).content.decode()
    assert f'href="{url("who")}" class="govuk-back-link"' in html
    html = journey.client.get(url("how")).content.decode()
    assert f'href="{url("what")}" class="govuk-back-link"' in html


# Sending ----------------------------------------------------------------------------------


@pytest.fixture
def friday_morning():
    # Friday 3 September 2027, 10:00 in London: due Monday 4 October.
    with time_machine.travel(
        datetime.datetime(2027, 9, 3, 10, 0, tzinfo=deadlines.LONDON), tick=True
    ):
        yield


def test_a_request_about_the_parent_and_two_children_is_one_request_with_three_cases(
    friday_morning, parent_client, parent, code_page
):
    journey = Journey(parent_client)
    journey.who("both")
    journey.add_child(name="Child One", born=(3, 5, 2015))
    journey.post("children", {"choice": "new"})
    journey.add_child(name="Child Two", born=(1, 2, 2019))
    journey.children_done()
    journey.what()
    journey.how()
    journey.adjustments("large_print")
    journey.code()

    response = journey.send()

    request = AccessRequest.objects.get()
    assert response["Location"] == url("confirmation", request.reference)
    assert request.requester == parent
    assert request.code_revision_id == code_page.live_revision.pk
    assert request.adjustments == ["large_print"]
    cases = list(request.cases.order_by("id"))
    assert [c.kind for c in cases] == [SubjectKind.REQUESTER, SubjectKind.CHILD, SubjectKind.CHILD]
    assert [c.child.full_name for c in cases[1:]] == ["Child One", "Child Two"]
    child = Child.objects.get(full_name="Child One")
    assert child.parent == parent
    assert child.date_of_birth == datetime.date(2015, 5, 3)
    assert child.relationship == Relationship.MOTHER
    assert child.has_parental_responsibility
    # The answers are gone from the session once sent.
    assert SESSION_KEY not in journey.client.session

    confirmation = text(journey.client.get(response["Location"]))
    assert "Request sent" in confirmation
    assert "SAR-2027-00001" in confirmation
    assert "We will reply by <strong>4 October 2027</strong>" in confirmation
    assert "What happens next" in confirmation


def test_a_young_person_asks_for_their_own_records(friday_morning, client, make_user, code_page):
    young_person = make_user(full_name="Jordan Young")
    journey = Journey(verify(client, young_person))
    journey.about_me_to_check()

    journey.send()

    request = AccessRequest.objects.get()
    assert request.requester == young_person
    assert request.about_requester
    assert [c.kind for c in request.cases.all()] == [SubjectKind.REQUESTER]
    assert not Child.objects.exists()


def test_a_child_saved_before_is_reused_not_copied(journey, parent):
    saved = ChildFactory(parent=parent, full_name="Robin Saved")
    journey.who("child")
    journey.post("children", {"choice": f"saved-{saved.pk}"})
    journey.children_done()
    journey.what()
    journey.how()
    journey.adjustments()
    journey.code()

    journey.send()

    request = AccessRequest.objects.get()
    assert [c.child for c in request.cases.all()] == [saved]
    assert Child.objects.count() == 1


def test_pressing_send_twice_makes_one_request(journey):
    journey.about_me_to_check()
    token = journey.answers()["token"]

    first = journey.post("check", {"token": token})
    second = journey.post("check", {"token": token})

    request = AccessRequest.objects.get()
    assert first["Location"] == second["Location"] == url("confirmation", request.reference)


def test_a_send_already_under_way_is_not_repeated(journey, parent):
    journey.about_me_to_check()
    token = journey.answers()["token"]
    # Another request (a second tab, a double click) holds the lock.
    cache.set(_send_key(parent, token), "sending")

    response = journey.post("check", {"token": token})

    assert response.status_code == 200
    assert "We are sending your request" in text(response)
    assert AccessRequest.objects.count() == 0


@pytest.mark.parametrize("token", ["\x00", "é" * 3000, "a token\nwith spaces"])
def test_a_made_up_token_is_a_stale_page_whatever_it_holds(journey, settings, token):
    # The database cache (used without Redis) refuses a NUL in a key on
    # PostgreSQL; memcached refuses spaces and long keys.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
    call_command("createcachetable", verbosity=0)  # absent where Redis is the cache
    journey.about_me_to_check()

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = journey.post("check", {"token": token})

    assert response.status_code == 200
    assert "Check your answers" in text(response)
    assert AccessRequest.objects.count() == 0


def test_a_refusal_by_the_domain_is_shown_and_the_answers_kept(journey, monkeypatch):
    journey.about_me_to_check()

    def refuse(**kwargs):
        raise RuleViolation(messages.DELIVERY_INVALID)

    monkeypatch.setattr("sar.views.journey.request_submit", refuse)
    response = journey.send()

    assert_error(response, "#check-answers", messages.DELIVERY_INVALID)
    assert journey.answers()["about"] == "me"
    # The lock is released, so sending again works once the problem is gone.
    monkeypatch.undo()
    assert journey.send().status_code == 302
    assert AccessRequest.objects.count() == 1


def test_confirmation_of_another_persons_request_is_not_found(other_client, submit, parent):
    request = submit(parent)

    assert other_client.get(url("confirmation", request.reference)).status_code == 404
