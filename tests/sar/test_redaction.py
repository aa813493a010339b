"""Redaction detectors and the redacted form of a text (sar.redaction)."""

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sar.redaction import (
    KeptText,
    KnownPerson,
    ReasonCode,
    RedactionMarker,
    Suggestion,
    SuggestionKind,
    apply_redactions,
    find_emails,
    find_nhs_numbers,
    find_ni_numbers,
    find_other_dates_of_birth,
    find_people,
    find_phone_numbers,
    find_postcodes,
    find_upns,
    merge_suggestions,
    nhs_number_is_valid,
    redacted_plain_text,
    suggest,
    upn_check_letter,
    upn_is_valid,
)

SAM = KnownPerson("Sam Jones", aliases=("Sammy",), role="sibling")
JAMES = KnownPerson("James Okafor", role="family friend")
EP = KnownPerson("Priya Shah", role="educational psychologist", is_professional=True)


def texts(suggestions):
    return [s.text for s in suggestions]


# -- known people --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sam Jones came in.", ["Sam Jones"]),
        ("SAM JONES came in.", ["SAM JONES"]),
        ("I met sam today.", ["sam"]),
        ("It was Sam's idea.", ["Sam"]),
        ("It was Sam’s idea.", ["Sam"]),
        ("Mrs Jones rang.", ["Mrs Jones"]),
        ("Jones rang.", ["Jones"]),
        ("Sammy was there.", ["Sammy"]),
        ("Letter from S. Jones.", ["S. Jones"]),
        ("Letter from S Jones.", ["S Jones"]),
        ("Initialled SJ at the foot.", ["SJ"]),
        ("Initialled S.J. at the foot.", ["S.J."]),
        ("James' bike and James's coat.", ["James", "James"]),
        ("'Sam' said no.", ["Sam"]),
    ],
)
def test_known_people_are_found_in_their_written_forms(text, expected):
    assert texts(suggest(text, people=[SAM, JAMES])) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Samuel came in.",
        "We took a sample.",
        "Samantha and Sam-Jo.",
        "sj in lower case is not initials.",
        "Jonesy is a nickname we were not told about.",
        "Mr O'Sam is someone else.",
    ],
)
def test_names_are_not_matched_inside_other_words(text):
    assert suggest(text, people=[SAM]) == []


def test_initials_shared_by_two_known_people_are_not_suggested():
    sophie = KnownPerson("Sophie Jones")
    found = suggest("SJ and S. Jones signed.", people=[SAM, sophie])
    assert texts(found) == ["Jones"]  # the surname is still theirs; the initials are not


def test_a_professional_in_their_role_is_not_suggested_by_default():
    assert suggest("Priya Shah assessed him.", people=[EP]) == []


def test_a_professional_can_be_redacted_when_the_caseworker_asks():
    ep = KnownPerson("Priya Shah", is_professional=True, redact_professional=True)
    assert texts(suggest("Priya Shah assessed him.", people=[ep])) == ["Priya Shah"]


def test_a_subjects_shared_surname_is_not_suggested_alone():
    alex = KnownPerson("Alex Jones")
    found = suggest("Alex Jones and Sam Jones; Mrs Jones rang.", people=[SAM], subjects=[alex])
    assert texts(found) == ["Sam Jones"]


def test_everyday_words_that_are_names_need_a_capital():
    will = KnownPerson("Will Young")
    found = suggest("Will said the young person will come. YOUNG agreed.", people=[will])
    assert texts(found) == ["Will", "YOUNG"]


def test_names_with_apostrophes_match_either_apostrophe():
    person = KnownPerson("Siobhan O'Brien")
    found = suggest("Siobhan O’Brien and O'Brien; not Brien.", people=[person])
    assert texts(found) == ["Siobhan O’Brien", "O'Brien"]


def test_find_people_reports_the_kind_and_reason():
    [found] = find_people("Sam.", [SAM])
    assert found == Suggestion(0, 3, "Sam", SuggestionKind.PERSON, ReasonCode.THIRD_PARTY)


# -- identifiers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email sam.jones@example.co.uk today.", ["sam.jones@example.co.uk"]),
        ("<a.b+c@school.sch.uk>", ["a.b+c@school.sch.uk"]),
        ("not an email: sam@ or @example.com", []),
    ],
)
def test_emails(text, expected):
    assert texts(find_emails(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 01865 810516.", ["01865 810516"]),
        ("Mobile 07911 123456", ["07911 123456"]),
        ("Drama number 07700 900123", ["07700 900123"]),
        ("Ring +44 20 7946 0958 now", ["+44 20 7946 0958"]),
        ("Ring (020) 7946 0018", ["(020) 7946 0018"]),
        ("In 2015 we had 12 pupils and ref 123456789.", []),
    ],
)
def test_uk_phone_numbers(text, expected):
    assert texts(find_phone_numbers(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lives at OX1 1ND.", ["OX1 1ND"]),
        ("sw1a 1aa and SW1A1AA", ["sw1a 1aa", "SW1A1AA"]),
        ("M1 1AE, B33 8TH, CR2 6XH, DN55 1PT, W1A 0AX, EC1A 1BB", None),
        ("GIR 0AA", ["GIR 0AA"]),
        ("QX1 1AA is not a postcode, nor is OX1 1CA", []),
        ("Year 11 pupils", []),
    ],
)
def test_postcodes(text, expected):
    expected = expected if expected is not None else [p.strip() for p in text.split(",")]
    assert texts(find_postcodes(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NI AB123456C", ["AB123456C"]),
        ("NI AB 12 34 56 C", ["AB 12 34 56 C"]),
        ("ab123456d", ["ab123456d"]),
        ("BG123456C", []),  # never issued
        ("GB123456A", []),
        ("ZZ123456A", []),
        ("DA123456A", []),  # D is not a valid first letter
        ("AO123456A", []),  # O is not a valid second letter
        ("AB123456E", []),  # suffix A-D only
    ],
)
def test_national_insurance_numbers(text, expected):
    assert texts(find_ni_numbers(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NHS 943 476 5919", ["943 476 5919"]),
        ("NHS 943-476-5919", ["943-476-5919"]),
        ("NHS 9434765919", ["9434765919"]),
        ("NHS 943 476 5918", []),  # wrong check digit
        ("NHS 943 476-5919", []),  # mixed separators
        ("ref 19434765919", []),  # part of a longer number
    ],
)
def test_nhs_numbers_with_a_valid_check_digit(text, expected):
    assert texts(find_nhs_numbers(text)) == expected


def test_nhs_check_digit_of_ten_is_never_valid():
    assert nhs_number_is_valid("9434765919")
    # 6 * 2 = 12, remainder 1: the check digit would be 10, which cannot be written.
    assert not any(nhs_number_is_valid(f"000000006{d}") for d in range(10))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UPN B801200005001", ["B801200005001"]),  # the DfE's worked example
        ("UPN A801200005001", []),  # wrong check letter
        ("UPN H80120000500A", None),  # a temporary UPN, check letter computed below
        ("UPN B8012000050011", []),  # too long
    ],
)
def test_unique_pupil_numbers(text, expected):
    if expected is None:
        body = "80120000500A"
        upn = upn_check_letter(body) + body
        assert texts(find_upns(f"UPN {upn}")) == [upn]
        return
    assert texts(find_upns(text)) == expected


def test_upn_check_letter_uses_positions_2_to_13_modulo_23():
    # 8*2 + 1*4 + 2*5 + 5*10 + 1*13 = 93; 93 % 23 = 1 -> "B"
    assert upn_check_letter("801200005001") == "B"
    assert upn_is_valid("B801200005001")
    assert not upn_is_valid("I801200005001")


# -- dates of birth ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sam (born 12/03/2015) came.", ["12/03/2015"]),
        ("DOB: 12 March 2015", ["12 March 2015"]),
        ("d.o.b. 12th March 2015", ["12th March 2015"]),
        ("Date of birth 2015-03-12.", ["2015-03-12"]),
        ("12/03/2015 (DOB)", ["12/03/2015"]),
        ("Met on 12/03/2015.", []),  # no birth cue
        ("DOB 01/02/2013, seen on 05/06/2023.", []),  # the subject's; the visit date is not a DOB
        ("born 31/02/2015", []),  # not a date
    ],
)
def test_dates_of_birth_of_others(text, expected):
    found = find_other_dates_of_birth(text, subject_dob=dt.date(2013, 2, 1))
    assert texts(found) == expected


def test_several_subject_dates_of_birth_are_all_kept():
    text = "Mum DOB 04/05/1985, child DOB 01/02/2013, aunt DOB 09/09/1980"
    found = find_other_dates_of_birth(text, subject_dob=[dt.date(1985, 5, 4), dt.date(2013, 2, 1)])
    assert texts(found) == ["09/09/1980"]


# -- suggest, merge, apply -----------------------------------------------------


def test_suggest_returns_sorted_non_overlapping_spans():
    text = "Email sam.jones@example.org or call Sam Jones on 07911 123456 at OX1 1ND."
    found = suggest(text, people=[SAM])
    assert [(s.kind, s.text) for s in found] == [
        (SuggestionKind.EMAIL, "sam.jones@example.org"),
        (SuggestionKind.PERSON, "Sam Jones"),
        (SuggestionKind.PHONE, "07911 123456"),
        (SuggestionKind.POSTCODE, "OX1 1ND"),
    ]
    for earlier, later in zip(found, found[1:], strict=False):
        assert earlier.end <= later.start
    assert all(text[s.start : s.end] == s.text for s in found)


def test_overlapping_suggestions_merge_and_the_longest_names_them():
    text = "abcdefghij"
    merged = merge_suggestions(
        text,
        [
            Suggestion(0, 4, "abcd", SuggestionKind.PERSON),
            Suggestion(2, 9, "cdefghi", SuggestionKind.PHONE),
            Suggestion(9, 10, "j", SuggestionKind.PERSON),
        ],
    )
    assert merged == [
        Suggestion(0, 9, "abcdefghi", SuggestionKind.PHONE),
        Suggestion(9, 10, "j", SuggestionKind.PERSON),
    ]


def test_apply_redactions_keeps_only_the_reason():
    text = "Sam Jones said hello to Mrs Jones."
    segments = apply_redactions(text, suggest(text, people=[SAM]))
    assert segments == [
        RedactionMarker((ReasonCode.THIRD_PARTY,)),
        KeptText(" said hello to "),
        RedactionMarker((ReasonCode.THIRD_PARTY,)),
        KeptText("."),
    ]
    assert redacted_plain_text(segments) == "[TP] said hello to [TP]."
    assert "Jones" not in repr(segments)


def test_overlapping_redactions_with_different_reasons_list_both():
    class Manual:
        def __init__(self, start, end, reason_code):
            self.start, self.end, self.reason_code = start, end, reason_code

    segments = apply_redactions("0123456789", [Manual(1, 5, "TP"), Manual(3, 8, "SH")])
    assert segments == [
        KeptText("0"),
        RedactionMarker((ReasonCode.THIRD_PARTY, ReasonCode.SERIOUS_HARM)),
        KeptText("89"),
    ]
    assert segments[1].label == "TP/SH"


def test_reason_codes_carry_their_legal_basis():
    assert ReasonCode.THIRD_PARTY.legal_basis == "DPA 2018 Sch 2 Pt 3 para 16"
    assert ReasonCode.SERIOUS_HARM.legal_basis == "DPA 2018 Sch 3"
    assert ReasonCode.LEGAL_PRIVILEGE.legal_basis == "DPA 2018 Sch 2 Pt 4 para 19"
    assert str(ReasonCode.THIRD_PARTY.label).startswith("Third-party personal data")
    assert [c.value for c in ReasonCode] == ["TP", "SH", "LPP", "OE"]


@st.composite
def text_and_spans(draw):
    text = draw(st.text(alphabet="ab c\nSJ'", max_size=60))
    n = len(text)
    spans = draw(
        st.lists(
            st.tuples(
                st.integers(0, max(n, 1)),
                st.integers(0, max(n, 1)),
                st.sampled_from(["TP", "SH", "LPP", "OE"]),
            ),
            max_size=6,
        )
    )
    return text, [Suggestion(min(a, b), max(a, b), "", SuggestionKind.PERSON, ReasonCode(c))
                  for a, b, c in spans]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(text_and_spans())
def test_redacted_text_never_survives_unless_it_is_also_kept_elsewhere(case):
    text, spans = case
    segments = apply_redactions(text, spans)
    kept = [seg.text for seg in segments if isinstance(seg, KeptText)]
    output = "\x00".join(kept)
    covered = [False] * len(text)
    for span in spans:
        for i in range(max(0, span.start), min(len(text), span.end)):
            covered[i] = True
    # Every character is either kept or covered, in order, and nothing else is kept.
    assert "".join(kept) == "".join(ch for ch, gone in zip(text, covered, strict=True) if not gone)
    masked = "".join("\x00" if gone else ch for ch, gone in zip(text, covered, strict=True))
    for span in spans:
        redacted = text[span.start : span.end]
        if redacted and redacted not in masked:
            assert redacted not in output
    # Markers carry reasons only.
    assert {f.name for f in dataclasses.fields(RedactionMarker)} == {"reason_codes"}
