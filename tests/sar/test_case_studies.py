"""Anonymised case studies: nothing that identifies anyone in the demo case
survives the download; pseudonyms are consistent and by role; dates move by
one hidden offset in their own style; schools, addresses and identifiers go;
only caseworkers and administrators may preview or download, each an audit
event that holds counts, never what was removed."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from sar import roles
from sar.case_studies import (
    CASE_STUDY_PURPOSE,
    Anonymiser,
    CastMember,
    build_case_study,
    case_study_document,
    clean_extra_terms,
    plain_text,
    random_offset,
    role_stem,
)
from sar.case_studies.dates import find_dates
from sar.demo import DEMO_PARENT_EMAIL, load_demo_case_file
from sar.models import CaseStatus, Person, Record, RecordKind, ServiceCase
from sar.redaction import (
    KnownPerson,
    find_emails,
    find_phone_numbers,
    find_postcodes,
    upn_check_letter,
)
from tests.sar.admin_support import staff_client_fixture  # noqa: F401
from tests.sar.factories import ChildFactory
from tests.sar.steps import put_case_in

pytestmark = pytest.mark.django_db

DOB = dt.date(2015, 3, 14)
# The demo child's date of birth as people write it.
DOB_FORMS = [
    "14/03/2015",
    "14/3/2015",
    "14.03.2015",
    "14-03-2015",
    "14/03/15",
    "2015-03-14",
    "14 March 2015",
    "14th March 2015",
    "14th of March, 2015",
    "March 14, 2015",
    "March 14th 2015",
    "14 Mar 2015",
    "14 Mar. 2015",
    "14 MARCH 2015",
]
NHS_NUMBER = "943 476 5919"
NI_NUMBER = "AB 12 34 56 C"
UPN_BODY = "938201511001"
UPN = upn_check_letter(UPN_BODY) + UPN_BODY


def export_url(case) -> str:
    return reverse("sar_admin:case_study_export", args=[case.pk])


def preview_url(case) -> str:
    return reverse("sar_admin:case_study", args=[case.pk])


@pytest.fixture
def demo_case():
    """The demo case file, plus one record that writes the child's date of
    birth every common way, names the school in full and short, holds NI, NHS
    and pupil numbers, and arrived as HTML."""
    load_demo_case_file()
    case = ServiceCase.objects.get(service_user__email=DEMO_PARENT_EMAIL)
    child = case.children.get()
    assert child.date_of_birth == DOB
    school = child.school_or_setting
    short_school = school.rsplit(" ", 1)[0]
    first = child.full_name.split()[0]
    Record.objects.create(
        case=case,
        kind=RecordKind.EMAIL,
        date=dt.date(2025, 6, 2),
        title="Email",
        sender=f"{school} office <office@school.example.org>",
        recipients=f"{case.service_user.full_name} <{DEMO_PARENT_EMAIL}>",
        body=(
            f"<p>Dear Mrs {case.service_user.full_name.split()[-1]},</p>"
            f"<p>{first}'s details for the transfer: born {', '.join(DOB_FORMS)}. "
            f"NHS number {NHS_NUMBER}, NI number {NI_NUMBER}, UPN {UPN}.</p>"
            f"<p>{first} has been at {school} since Reception; {short_school} will "
            f"send the file to {school.upper()}'s new SENCo.</p>"
        ),
    )
    return case


def source_texts(case) -> list[str]:
    return [
        text
        for record in case.records.all()
        for text in (record.title, record.body, record.sender, record.recipients)
    ]


def known_identifiers(case) -> dict[str, set[str]]:
    """Everything the case file says identifies someone, by what it is."""
    parent = case.service_user
    child = case.children.get()
    names = {parent.full_name, child.full_name}
    tokens = set(parent.full_name.split()) | set(child.full_name.split())
    for person in case.people.all():
        names.add(person.full_name)
        names.update(person.aliases)
        tokens.update(person.full_name.split())
        tokens.update(word for alias in person.aliases for word in alias.split() if len(word) > 1)
    texts = source_texts(case)
    return {
        "names": names,
        "tokens": tokens,
        "emails": {s.text for t in texts for s in find_emails(t)} | {parent.email},
        "phones": {s.text for t in texts for s in find_phone_numbers(t)},
        "postcodes": {s.text for t in texts for s in find_postcodes(t)},
        "schools": {child.school_or_setting, child.school_or_setting.rsplit(" ", 1)[0]},
        "numbers": {NHS_NUMBER, NI_NUMBER, UPN},
    }


def assert_nothing_identifying(text: str, case) -> None:
    found = known_identifiers(case)
    lowered = text.lower()
    squashed = re.sub(r"\s", "", text)
    for kind in ("names", "emails", "postcodes", "schools", "numbers"):
        for value in found[kind]:
            assert value.lower() not in lowered, (kind, value)
    for token in found["tokens"]:
        assert not re.search(rf"(?<!\w){re.escape(token)}(?!\w)", text, re.IGNORECASE), token
    for phone in found["phones"]:
        assert re.sub(r"\s", "", phone) not in squashed, phone
    for form in DOB_FORMS:
        assert form.lower() not in lowered, form
    # However it is written, no date in the text is the date of birth.
    assert DOB not in {
        dt.date.fromisoformat(moved.replacement)
        for moved in find_dates(text, offset=dt.timedelta(0), reference=dt.date(2025, 1, 1))
        if re.fullmatch(r"\d{4}-\d\d-\d\d", moved.replacement)
    }


def test_no_known_identifier_of_the_demo_case_survives_the_download(
    demo_case, make_user, staff_client
):
    caseworker = make_user(roles.CASEWORKER)
    found = known_identifiers(demo_case)
    # The check is about something: the source holds every kind of identifier.
    sources = "\n".join(source_texts(demo_case))
    assert all(found[kind] for kind in found)
    assert all(form in sources for form in DOB_FORMS)

    response = staff_client(caseworker).post(export_url(demo_case), {"extra_terms": ""})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="case-study-')
    assert "no-store" in response["Cache-Control"]
    document = response.content.decode("utf-8")
    assert_nothing_identifying(document, demo_case)
    # Still a case study: the people are there by role, the records by kind.
    for pseudonym in ("Parent A", "Child A", "Teacher 1", "SENCo 1", "Grandparent 1"):
        assert pseudonym in document
    assert "Child A's" in document  # a possessive keeps its "'s"
    assert "[school]" in document and "[phone number]" in document
    assert "[address]" in document and "[postcode]" in document
    assert document.count("\n41. ") == 1  # the 40 demo records and the one added


def test_the_preview_shows_what_was_found_and_what_it_became(demo_case, make_user, staff_client):
    admin = make_user(roles.ADMINISTRATOR)
    parent = demo_case.service_user

    response = staff_client(admin).get(preview_url(demo_case))

    assert response.status_code == 200
    page = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert parent.full_name in page and "Parent A" in page
    assert "Street address" in page and "[address]" in page
    assert "Before" in page and "After" in page
    event = AuditEvent.objects.get(action="sar.case_study.viewed")
    assert (event.actor, event.object_id, event.reason) == (
        admin,
        str(demo_case.pk),
        CASE_STUDY_PURPOSE,
    )
    assert event.data["records"] == 41
    assert event.data["replaced"]["person"] > 0
    assert_nothing_identifying(json.dumps(event.data), demo_case)


def test_words_staff_add_are_removed_and_counted_not_kept(demo_case, make_user, staff_client):
    caseworker = make_user(roles.CASEWORKER)
    Record.objects.create(
        case=demo_case,
        kind=RecordKind.CASE_NOTE,
        date=dt.date(2025, 7, 1),
        title="Case note",
        body="Spoke to Auntie Bev, who drives her to Little Acorns club on Saturdays.",
    )
    client = staff_client(caseworker)

    preview = client.post(preview_url(demo_case), {"extra_terms": "Auntie Bev\n\nlittle acorns\n"})
    download = client.post(export_url(demo_case), {"extra_terms": "Auntie Bev\nlittle acorns"})

    assert "[removed]" in preview.content.decode()
    document = download.content.decode()
    assert "Spoke to [removed], who drives her to [removed] club" in document
    for event in AuditEvent.objects.filter(action__startswith="sar.case_study."):
        assert event.data["extra_terms"] == 2
        assert "Bev" not in json.dumps(event.data) and "Acorns" not in json.dumps(event.data)
    assert AuditEvent.objects.filter(action="sar.case_study.exported", actor=caseworker).exists()


# Who may ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.CASEWORKER, roles.ADMINISTRATOR])
def test_caseworkers_and_administrators_see_the_list_and_preview(
    demo_case, make_user, staff_client, role
):
    client = staff_client(make_user(role))

    listing = client.get(reverse("sar_admin:case_studies"))
    assert listing.status_code == 200
    assert preview_url(demo_case) in listing.content.decode()
    # The list names nobody: a case is its number.
    assert demo_case.service_user.full_name not in listing.content.decode()
    assert client.get(preview_url(demo_case)).status_code == 200


@pytest.mark.parametrize("role", [roles.APPROVER, roles.SAFEGUARDING_LEAD, "Content editor"])
def test_other_staff_are_refused_every_case_study_screen(demo_case, make_user, staff_client, role):
    client = staff_client(make_user(role))
    home = reverse("wagtailadmin_home")

    for response in (
        client.get(reverse("sar_admin:case_studies")),
        client.get(preview_url(demo_case)),
        client.post(export_url(demo_case), {"extra_terms": ""}),
    ):
        assert response.status_code == 302 and response["Location"] == home
    assert not AuditEvent.objects.filter(action__startswith="sar.case_study.").exists()


def test_a_parent_cannot_reach_the_screens(demo_case, staff_client):
    client = staff_client(demo_case.service_user)

    response = client.get(preview_url(demo_case))

    assert response.status_code == 302
    assert not response["Location"].startswith(preview_url(demo_case))


def test_a_case_whose_service_user_has_a_request_on_hold_is_never_offered(
    demo_case, make_user, staff_client, submit, safeguarding_lead
):
    case = submit(requester=demo_case.service_user).cases.get()
    put_case_in(case, CaseStatus.ON_HOLD)
    client = staff_client(make_user(roles.ADMINISTRATOR))

    assert (
        preview_url(demo_case) not in client.get(reverse("sar_admin:case_studies")).content.decode()
    )
    assert client.get(preview_url(demo_case)).status_code == 404
    assert client.post(export_url(demo_case), {"extra_terms": ""}).status_code == 404


def test_nobody_makes_a_case_study_of_their_own_case(make_user, staff_client):
    caseworker = make_user(roles.CASEWORKER)
    own = ServiceCase.objects.create(service_user=caseworker, opened_on=dt.date(2024, 1, 1))

    assert staff_client(caseworker).get(preview_url(own)).status_code == 404


def test_the_download_is_post_only(demo_case, make_user, staff_client):
    client = staff_client(make_user(roles.CASEWORKER))

    assert client.get(export_url(demo_case)).status_code == 405


# What it does to text --------------------------------------------------------


def member(key, pseudonym, full_name, *aliases, date_of_birth=None) -> CastMember:
    return CastMember(
        key=key,
        pseudonym=pseudonym,
        description="",
        names=KnownPerson(full_name=full_name, aliases=tuple(aliases)),
        date_of_birth=date_of_birth,
    )


FAMILY = [
    member("user:1", "Parent A", "Jemma Blake"),
    member("child:1", "Child A", "Jennifer Blake", date_of_birth=DOB),
    member("person:1", "Sibling 1", "Ian Blake"),
    member("person:2", "Grandparent 1", "Katie Barrett", "Nana Katie"),
    member("person:3", "Teacher 1", "Richard Hargreaves"),
    member("person:4", "Other child 1", "Timothy Watson", "Timothy W"),
]


def anonymise(text: str, *, weeks: int = 10, **kwargs) -> str:
    anonymiser = Anonymiser(cast=FAMILY, offset=-dt.timedelta(weeks=weeks), **kwargs)
    return anonymiser.anonymise(text, reference=dt.date(2024, 10, 1)).text


def test_each_person_is_one_pseudonym_in_every_form():
    text = (
        "Jemma Blake rang. Jemma said Jennifer's teacher, Mr Hargreaves, told Jennifer "
        "that Timothy W and TIMOTHY WATSON were moved. Nana Katie (Ms Barrett) and "
        "Ian came too; R. Hargreaves signed it, initialled RH."
    )

    assert anonymise(text) == (
        "Parent A rang. Parent A said Child A's teacher, Teacher 1, told Child A "
        "that Other child 1 and Other child 1 were moved. Grandparent 1 (Grandparent 1) "
        "and Sibling 1 came too; Teacher 1 signed it, initialled Teacher 1."
    )


def test_a_name_part_two_people_share_goes_to_neither():
    # "Blake" is the mother's, the child's and the brother's surname.
    assert anonymise("Mrs Blake and the Blake family; JB signed.") == (
        "[name] and the [name] family; [initials] signed."
    )


def test_dates_move_by_one_offset_written_as_they_were():
    text = (
        "Seen on Tuesday 12/03/2024, again on 19.3.24 and 2024-03-26; "
        "the review is on the 2nd of April, 2024 (Apr. 9th 2024 at the latest), "
        "started in March 2024, due 30 September."
    )

    moved = anonymise(text, weeks=3)

    assert moved == (
        "Seen on Tuesday 20/02/2024, again on 27.2.24 and 2024-03-05; "
        "the review is on the 12th of March, 2024 (Mar. 19th 2024 at the latest), "
        "started in February 2024, due 9 September."
    )


def test_may_the_verb_is_not_a_date():
    assert anonymise("She may 12 times a day ask; 12 May 2024.", weeks=1) == (
        "She may 12 times a day ask; 5 May 2024."
    )


def test_schools_addresses_and_identifiers_become_placeholders():
    text = (
        "Started at St Mary's C of E Primary School, then Riverside Academy. "
        "Lives at Flat 3, 12 High Street, Exampletown, OX1 2AB; before that 7a Mill Lane. "
        f"Phone 07700 900123 or +44 1632 960001, email jb@example.org. NHS {NHS_NUMBER}, "
        f"NI {NI_NUMBER}, UPN {UPN}. Annual review at school in the School Hall."
    )

    assert anonymise(text, schools=["Riverside Academy"]) == (
        "Started at [school], then [school]. "
        "Lives at [address], [postcode]; before that [address]. "
        "Phone [phone number] or [phone number], email [email address]. NHS [NHS number], "
        "NI [National Insurance number], UPN [pupil number]. Annual review at school in the "
        "School Hall."
    )


def test_a_known_school_is_found_however_it_is_capitalised_and_shortened():
    text = "Wade Primary said WADE PRIMARY SCHOOL would ring; wade primary school agreed."

    assert anonymise(text, schools=["Wade Primary School"]) == (
        "[school] said [school] would ring; [school] agreed."
    )


def test_words_staff_add_are_whole_words():
    assert anonymise("Bev and Beverley met Auntie bev.", extra_terms=["bev"]) == (
        "[removed] and Beverley met Auntie [removed]."
    )
    assert clean_extra_terms(" Bev \n\nbev\n  Little   Acorns ") == ["Bev", "Little Acorns"]


def test_html_records_become_plain_text():
    assert plain_text("<p>Dear Sam,</p><p>See you<br>soon &amp; well</p><script>x()</script>") == (
        "Dear Sam,\nSee you\nsoon & well\n"
    )
    assert plain_text("Sam <sam@example.org>") == "Sam <sam@example.org>"


@pytest.mark.parametrize(
    ("role", "professional", "stem"),
    [
        ("class teacher", True, "Teacher"),
        ("SENCo", True, "SENCo"),
        ("Sam Smith's nan", False, "Grandparent"),
        ("other parent", False, "Other parent"),
        ("speech and language therapist", True, "Speech and language therapist"),
        ("Dr Okafor from the clinic", True, "Doctor"),
        ("Jo", True, "Professional"),
        ("Jo", False, "Person"),
    ],
)
def test_a_role_becomes_a_stem_from_a_fixed_list(role, professional, stem):
    assert role_stem(role, is_professional=professional)[0] == stem


def test_the_typed_role_never_reaches_the_document(parent, caseworker):
    case = ServiceCase.objects.create(
        service_user=parent, opened_on=dt.date(2024, 1, 10), caseworker=caseworker
    )
    child = ChildFactory(parent=parent, date_of_birth=dt.date(2014, 1, 1))
    case.children.add(child)
    Person.objects.create(case=case, full_name="Olwen Pritchard", role="Zanzibar's nan")
    Person.objects.create(case=case, full_name="Tegid Rees", role="father")
    Record.objects.create(
        case=case,
        kind=RecordKind.CASE_NOTE,
        date=dt.date(2024, 2, 1),
        title="Case note",
        body="Olwen Pritchard and Tegid Rees came.",
        author=caseworker,
    )

    document = case_study_document(build_case_study(case=case, offset=-dt.timedelta(weeks=30)))

    assert "Zanzibar" not in document
    assert "- Grandparent 1: a grandparent" in document
    assert "- Parent B: another parent or carer" in document
    assert "Grandparent 1 and Parent B came." in document
    assert "- Child A: a child on the case, 10 years old when the case opened" in document
    assert "Opened: Wednesday 14 June 2023" in document  # 30 weeks earlier, still a Wednesday


def test_each_export_moves_dates_by_a_fresh_offset_of_whole_weeks():
    offsets = {random_offset() for _ in range(20)}

    assert len(offsets) > 1
    for offset in offsets:
        assert offset.days % 7 == 0
        assert -156 * 7 <= offset.days <= -26 * 7


def test_a_service_case_under_a_standing_hold_is_never_offered(
    demo_case, make_user, staff_client, safeguarding_lead
):
    from sar.models import HoldExemption
    from sar.safeguarding import hold_place_on_service_case

    client = staff_client(make_user(roles.ADMINISTRATOR))
    assert client.get(preview_url(demo_case)).status_code == 200
    hold_place_on_service_case(
        service_case=demo_case,
        actor=safeguarding_lead,
        reason="A concern raised by the school.",
        exemption=HoldExemption.EDUCATION_SERIOUS_HARM,
    )

    listing = client.get(reverse("sar_admin:case_studies")).content.decode()
    assert preview_url(demo_case) not in listing
    assert client.get(preview_url(demo_case)).status_code == 404
