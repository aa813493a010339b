"""The parent's request forms posted with hostile input (tests/security/
fuzzing.py): every question of the journey (kept in the session until the
request is sent, so accepted answers are sent to see what is stored), the
answer to our question, withdrawing a request, withdrawing a consent."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from sar.models import AccessRequest, Child, ConsentToDisclose, TimelineEntry
from sar.views.answers import SESSION_KEY
from tests.sar.views.journey import child_details
from tests.security.fuzzing import (
    FUZZ,
    any_text,
    choice_or_nasty,
    cleaned,
    nasty_text,
    outcome,
    refuses_nul,
    snapshot,
    undone,
)
from tests.security.world import PARENT, module_world

pytestmark = pytest.mark.django_db

RELATIONSHIPS = ["mother", "father", "other"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as built:
        yield built


def post(client, name, data, *args):
    return client.post(reverse(f"sar:{name}", args=args), data)


def send(client, **answers) -> AccessRequest:
    """Answer the questions not being fuzzed, send the request and return it."""
    steps = [
        ("what", {"scope": "everything"}),
        ("how", {"delivery": "download"}),
        ("adjustments", {"adjustments": ["none"]}),
        ("code", {"acknowledged": "on"}),
    ]
    for name, data in steps:
        if name not in answers:
            assert post(client, name, data).status_code == 302, name
    made = set(AccessRequest.objects.values_list("pk", flat=True))
    token = client.session[SESSION_KEY]["token"]
    response = post(client, "check", {"token": token})
    assert response.status_code == 302, "the answers given were accepted but cannot be sent"
    return AccessRequest.objects.exclude(pk__in=made).get()


def date_parts(prefix):
    part = st.one_of(st.integers(-5, 3000).map(str), nasty_text(12))
    return st.fixed_dictionaries(
        {f"{prefix}_day": part, f"{prefix}_month": part, f"{prefix}_year": part}
    )


# The questions ----------------------------------------------------------------------


@FUZZ
@given(about=choice_or_nasty(["me", "child", "both"]))
def test_who(world, about):
    with undone():
        client = world.client(PARENT)
        before = snapshot()
        outcome(post(client, "who", {"about": about}), before=before)


@FUZZ
@given(
    name=any_text(),
    school=any_text(),
    relationship=choice_or_nasty(RELATIONSHIPS),
    relationship_other=any_text(),
    court_order=choice_or_nasty(["yes", "no"]),
    court_order_details=st.one_of(any_text(), nasty_text(2100)),
    responsibility=choice_or_nasty(["yes", "no"]),
    born=st.one_of(st.just({}), date_parts("date_of_birth")),
)
@example(
    name="  Zoë Ñúñez-Ó'Brien  ",
    school="<b>École</b> 🏫",
    relationship="other",
    relationship_other="Kinship carer (grand-mère)",
    court_order="yes",
    court_order_details="Special guardianship order,\r\nmade 2021",
    responsibility="yes",
    born={},
)
def test_adding_a_child(
    world,
    name,
    school,
    relationship,
    relationship_other,
    court_order,
    court_order_details,
    responsibility,
    born,
):
    data = child_details(
        name=name,
        school_or_setting=school,
        relationship=relationship,
        relationship_other=relationship_other,
        has_court_order=court_order,
        court_order=court_order_details,
        has_parental_responsibility=responsibility,
        **born,
    )
    with undone():
        client = world.client(PARENT)
        assert post(client, "who", {"about": "child"}).status_code == 302
        before = snapshot()
        response = post(client, "child_add", data)

        refuses_nul(response, name, school, relationship_other, court_order_details)
        if outcome(response, before=before):
            assert post(client, "children", {"choice": "done"}).status_code == 302
            access_request = send(client)
            child = Child.objects.get(cases__request=access_request)
            assert child.full_name == cleaned(name)
            assert child.school_or_setting == cleaned(school)
            if relationship == "other":
                assert child.relationship_other == cleaned(relationship_other)
            if court_order == "yes":
                assert child.court_order == cleaned(court_order_details)


@FUZZ
@given(
    choice=st.one_of(st.just("<saved child>"), choice_or_nasty(["new", "done", "saved-0"])),
)
def test_choosing_from_the_children(world, choice):
    if choice == "<saved child>":
        choice = f"saved-{world.child.pk}"
    with undone():
        client = world.client(PARENT)
        assert post(client, "who", {"about": "child"}).status_code == 302
        before = snapshot()
        outcome(post(client, "children", {"choice": choice}), before=before)


@FUZZ
@given(scope=choice_or_nasty(["everything", "specific"]))
def test_what(world, scope):
    with undone():
        client = world.client(PARENT)
        before = snapshot()
        outcome(post(client, "what", {"scope": scope}), before=before)


@FUZZ
@given(
    date_from=st.one_of(st.just({}), date_parts("date_from")),
    date_to=st.one_of(st.just({}), date_parts("date_to")),
    topics=st.one_of(any_text(), nasty_text(2100)),
)
@example(date_from={}, date_to={}, topics="  Meetings with the school 📚\r\n<i>2023</i>  ")
@example(
    date_from={"date_from_day": "1", "date_from_month": "Sept", "date_from_year": "2022"},
    date_to={"date_to_day": "\x00", "date_to_month": "1", "date_to_year": "2023"},
    topics="",
)
def test_which_records(world, date_from, date_to, topics):
    with undone():
        client = world.client(PARENT)
        assert post(client, "who", {"about": "me"}).status_code == 302
        assert post(client, "what", {"scope": "specific"}).status_code == 302
        before = snapshot()
        response = post(client, "what_detail", {**date_from, **date_to, "topics": topics})

        refuses_nul(response, topics)
        if outcome(response, before=before):
            access_request = send(client, what=True)
            assert access_request.topics == cleaned(topics)
            for made in (access_request.date_from, access_request.date_to):
                assert made is None or made <= datetime.date.today()


@FUZZ
@given(delivery=choice_or_nasty(["download", "appointment"]))
def test_how(world, delivery):
    with undone():
        client = world.client(PARENT)
        before = snapshot()
        outcome(post(client, "how", {"delivery": delivery}), before=before)


@FUZZ
@given(
    chosen=st.lists(
        choice_or_nasty(["easy_read", "large_print", "interpreter", "other", "none"]),
        max_size=4,
    ),
    language=any_text(),
    other=st.one_of(any_text(), nasty_text(600)),
)
@example(chosen=["interpreter", "other"], language=" Polski 🇵🇱 ", other="Braille,\r\nplease")
def test_help_needed(world, chosen, language, other):
    with undone():
        client = world.client(PARENT)
        assert post(client, "who", {"about": "me"}).status_code == 302
        before = snapshot()
        response = post(
            client,
            "adjustments",
            {"adjustments": chosen, "interpreter_language": language, "adjustment_other": other},
        )

        refuses_nul(response, language, other)
        if outcome(response, before=before):
            access_request = send(client, adjustments=True)
            if "interpreter" in chosen:
                assert access_request.interpreter_language == cleaned(language)
            if "other" in chosen:
                assert access_request.adjustment_other == cleaned(other)


@FUZZ
@given(acknowledged=st.one_of(st.just("on"), nasty_text(20)))
def test_the_confidentiality_code(world, acknowledged):
    with undone():
        client = world.client(PARENT)
        before = snapshot()
        outcome(post(client, "code", {"acknowledged": acknowledged}), before=before)


@FUZZ
@given(token=st.one_of(st.just("<token>"), nasty_text(60)))
def test_sending(world, token):
    with undone():
        client = world.client(PARENT)
        assert post(client, "who", {"about": "me"}).status_code == 302
        for name, data in [
            ("what", {"scope": "everything"}),
            ("how", {"delivery": "download"}),
            ("adjustments", {"adjustments": ["none"]}),
            ("code", {"acknowledged": "on"}),
        ]:
            post(client, name, data)
        if token == "<token>":
            token = client.session[SESSION_KEY]["token"]
        before = snapshot()
        response = post(client, "check", {"token": token})

        # A token not of these answers is a stale page: the answers again.
        if response.status_code == 200 and "govuk-error-summary" not in response.content.decode():
            assert snapshot() == before
        else:
            outcome(response, before=before, ignore={"value"})


# About a request already made ------------------------------------------------------


@FUZZ
@given(answer=st.one_of(any_text(), nasty_text(5100)))
@example(answer="  We mean the 2023 annual review 📄\r\n<script>x</script>  ")
def test_answering_our_question(world, answer):
    reference = world.access_request.reference
    with undone():
        before = snapshot()
        response = post(world.client(PARENT), "answer", {"answer": answer}, reference)

        refuses_nul(response, answer)
        if outcome(response, before=before):
            entry = TimelineEntry.objects.filter(
                request=world.access_request, kind="answer_clarification"
            ).get()
            assert cleaned(answer) in entry.message


@FUZZ
@given(reason=st.one_of(any_text(), nasty_text(2100)))
@example(reason="  Found them elsewhere 🙂 \x01  ")
def test_withdrawing_a_request(world, reason):
    reference = world.access_request.reference
    with undone():
        before = snapshot()
        response = post(world.client(PARENT), "withdraw", {"reason": reason}, reference)

        refuses_nul(response, reason)
        if outcome(response, before=before):
            entry = TimelineEntry.objects.filter(
                request=world.access_request, kind="withdraw"
            ).first()
            assert entry is not None
            assert cleaned(reason) in entry.message


@FUZZ
@given(junk=st.dictionaries(st.text(max_size=20), nasty_text(40), max_size=3))
def test_withdrawing_a_consent(world, junk):
    with undone():
        before = snapshot()
        response = post(world.client(PARENT), "consent_withdraw", junk, world.consent.pk)

        if outcome(response, before=before):
            assert ConsentToDisclose.objects.get(pk=world.consent.pk).withdrawn_at is not None
