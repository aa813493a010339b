"""Who is in a case study: every person on the case, each given a role pseudonym.

The service user is "Parent A" (or "Young person A" when the case has no
children), the children "Child A", "Child B" (oldest first), the service's own
staff on the case "Caseworker 1", and the people the records mention take a
pseudonym from their role: "Teacher 1", "SENCo 1", "Grandparent 1". A mentioned
parent continues the family's letters ("Parent B").

The role a caseworker typed is free text and may itself name someone ("Sam's
nan"), so it never reaches the export: it is only matched against the words in
``ROLE_STEMS``, and a role that matches none becomes "Professional" or "Person".
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Case, Q, When

from sar.redaction import KnownPerson

# (words that may appear in a role, the pseudonym's stem, how the cast list describes them)
ROLE_STEMS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        (
            "senco",
            "sendco",
            "special educational needs coordinator",
            "special educational needs co-ordinator",
            "inclusion lead",
            "inclusion manager",
        ),
        "SENCo",
        "a special educational needs co-ordinator (SENCo)",
    ),
    (("educational psychologist",), "Educational psychologist", "an educational psychologist"),
    (("clinical psychologist", "psychologist"), "Psychologist", "a psychologist"),
    (
        ("speech and language therapist", "speech therapist", "salt"),
        "Speech and language therapist",
        "a speech and language therapist",
    ),
    (("occupational therapist",), "Occupational therapist", "an occupational therapist"),
    (("physiotherapist",), "Physiotherapist", "a physiotherapist"),
    (("paediatrician", "pediatrician"), "Paediatrician", "a paediatrician"),
    (("health visitor",), "Health visitor", "a health visitor"),
    (("school nurse", "nurse"), "Nurse", "a nurse"),
    (("gp", "doctor", "dr"), "Doctor", "a doctor"),
    (("social worker",), "Social worker", "a social worker"),
    (
        ("family support worker", "early help worker"),
        "Family support worker",
        "a family support worker",
    ),
    (
        ("headteacher", "head teacher", "head of school", "principal", "deputy head"),
        "Headteacher",
        "a headteacher",
    ),
    (
        ("teaching assistant", "learning support assistant", "lsa", "ta"),
        "Teaching assistant",
        "a teaching assistant",
    ),
    (("class teacher", "form tutor", "teacher", "tutor"), "Teacher", "a teacher"),
    (
        ("case officer", "send officer", "ehc coordinator", "ehc co-ordinator"),
        "Local authority officer",
        "an officer of the local authority",
    ),
    (("solicitor", "lawyer", "barrister"), "Solicitor", "a solicitor"),
    (("advocate",), "Advocate", "an advocate"),
    (("key worker", "keyworker"), "Key worker", "a key worker"),
    (
        ("other parent", "another parent", "parent of another child"),
        "Other parent",
        "the parent of another child",
    ),
    (
        ("other child", "another child", "classmate", "pupil", "friend"),
        "Other child",
        "another child",
    ),
    (
        ("grandparent", "grandmother", "grandfather", "grandma", "grandad", "granddad", "nan"),
        "Grandparent",
        "a grandparent",
    ),
    (
        ("sibling", "brother", "sister", "half-brother", "half-sister", "stepbrother"),
        "Sibling",
        "a brother or sister of a child on the case",
    ),
    (
        ("step-parent", "stepparent", "stepmother", "stepfather", "partner"),
        "Step-parent",
        "a step-parent or partner",
    ),
    (("foster carer", "foster parent"), "Foster carer", "a foster carer"),
    (("mother", "father", "mum", "dad", "parent", "carer"), "Parent", "another parent or carer"),
    (("aunt", "uncle", "cousin", "relative"), "Relative", "a relative"),
    (("neighbour", "family friend"), "Family friend", "a family friend or neighbour"),
)
PROFESSIONAL = ("Professional", "another professional")
PERSON = ("Person", "someone else the records mention")

# Stems that take letters ("Parent A", "Child B"), shared by the family; the rest take numbers.
LETTER_STEMS = frozenset({"Parent", "Child", "Young person"})

_ROLE_WORDS = sorted(
    ((word, stem, description) for words, stem, description in ROLE_STEMS for word in words),
    key=lambda item: len(item[0]),
    reverse=True,
)
_ROLE_RE = {word: re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])") for word, *_ in _ROLE_WORDS}


def role_stem(role: str, *, is_professional: bool) -> tuple[str, str]:
    """The pseudonym stem and description for a free-text role ("class teacher"
    -> ("Teacher", "a teacher")); the longest matching role word wins."""
    text = " ".join(role.lower().split())
    for word, stem, description in _ROLE_WORDS:
        if _ROLE_RE[word].search(text):
            return stem, description
    return PROFESSIONAL if is_professional else PERSON


@dataclass(frozen=True)
class CastMember:
    """One person in the case study: their pseudonym, a description safe to
    print, and the names to find them by (never printed)."""

    key: str
    pseudonym: str
    description: str
    names: KnownPerson
    # Children only: the date of birth, to say how old they were.
    date_of_birth: dt.date | None = None


def _letter(index: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    out = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        out = chr(ord("A") + remainder) + out
    return out


class _Numbering:
    def __init__(self):
        self.used: dict[str, int] = defaultdict(int)

    def next(self, stem: str) -> str:
        index = self.used[stem]
        self.used[stem] += 1
        if stem in LETTER_STEMS:
            return f"{stem} {_letter(index)}"
        return f"{stem} {index + 1}"


def _names(full_name: str, aliases: Iterable[str] = ()) -> KnownPerson:
    # Everyone is looked for, professionals included: a case study names nobody.
    return KnownPerson(
        full_name=" ".join(full_name.split()),
        aliases=tuple(a.strip() for a in aliases if a and a.strip()),
        is_professional=False,
    )


def build_cast(case) -> list[CastMember]:
    """Everyone on ``case`` (a ``ServiceCase``) with their pseudonym, in the
    order of the cast list: the family, the service's staff, then the people
    the records mention (in the order they were added to the case)."""
    numbering = _Numbering()
    cast: list[CastMember] = []
    children = sorted(case.children.all(), key=lambda c: (c.date_of_birth, c.pk))
    user = case.service_user
    if children:
        user_stem, user_description = "Parent", "the parent or carer who came to the service"
    else:
        user_stem, user_description = "Young person", "the young person who came to the service"
    cast.append(
        CastMember(
            key=f"user:{user.pk}",
            pseudonym=numbering.next(user_stem),
            description=user_description,
            names=_names(user.get_full_name()),
        )
    )
    for child in children:
        cast.append(
            CastMember(
                key=f"child:{child.pk}",
                pseudonym=numbering.next("Child"),
                description="a child on the case",
                names=_names(child.full_name),
                date_of_birth=child.date_of_birth,
            )
        )
    # The case's caseworker first, then anyone else who wrote a record.
    staff = (
        get_user_model()
        .objects.filter(Q(pk=case.caseworker_id) | Q(records_written__case=case))
        .distinct()
        .order_by(Case(When(pk=case.caseworker_id, then=0), default=1), "pk")
    )
    for member in staff:
        cast.append(
            CastMember(
                key=f"staff:{member.pk}",
                pseudonym=numbering.next("Caseworker"),
                description="a member of the service's staff",
                names=_names(member.get_full_name()),
            )
        )
    for person in case.people.order_by("pk"):
        stem, description = role_stem(person.role, is_professional=person.is_professional)
        cast.append(
            CastMember(
                key=f"person:{person.pk}",
                pseudonym=numbering.next(stem),
                description=description,
                names=_names(person.full_name, person.aliases or ()),
            )
        )
    return cast
