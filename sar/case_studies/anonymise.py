"""One text made anonymous: what was found, and what it became.

``Anonymiser`` is built once per case study (the cast, the schools, the date
offset and any words staff asked to remove) and turns each text into
``Piece``s: kept text, and found text with its replacement. The preview shows
both sides of every piece; the export keeps only the replacements.

What is found, in one pass each, then merged (overlaps become one piece; the
longest find, then the most specific kind, says what it becomes):

- each person on the case by every form ``sar.redaction.find_people`` knows
  (full name, first and last name, first name, surname, aliases, with an
  honorific, possessive, initials where only they have them), becoming their
  pseudonym. Each person is looked for with everyone else as "subjects", so a
  name part two people share ("Blake" for a mother and her son) is never
  given to one of them;
- what is left of anyone's name, capitalised as a name, becomes "[name]",
  and initials two people share become "[initials]";
- schools and settings, street addresses, postcodes, email addresses, phone
  numbers, NI, NHS and pupil numbers become a placeholder ("[school]", ...);
- dates are moved (``sar.case_studies.dates``);
- words staff asked to remove become "[removed]".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from sar.redaction import (
    KnownPerson,
    find_emails,
    find_nhs_numbers,
    find_ni_numbers,
    find_people,
    find_phone_numbers,
    find_postcodes,
    find_upns,
)
from sar.redaction.people import HONORIFICS

from .cast import CastMember
from .dates import find_dates
from .detectors import find_addresses, find_schools, find_terms


class ReplacementKind(models.TextChoices):
    PERSON = "person", _("Person on the case")
    NAME = "name", _("Part of a name more than one person has")
    INITIALS = "initials", _("Initials more than one person has")
    SCHOOL = "school", _("School or setting")
    ADDRESS = "address", _("Street address")
    POSTCODE = "postcode", _("Postcode")
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")
    NI_NUMBER = "ni_number", _("National Insurance number")
    NHS_NUMBER = "nhs_number", _("NHS number")
    UPN = "upn", _("Unique Pupil Number")
    DATE = "date", _("Date (moved)")
    OTHER = "other", _("Words staff asked to remove")


PLACEHOLDERS = {
    ReplacementKind.NAME: "[name]",
    ReplacementKind.INITIALS: "[initials]",
    ReplacementKind.SCHOOL: "[school]",
    ReplacementKind.ADDRESS: "[address]",
    ReplacementKind.POSTCODE: "[postcode]",
    ReplacementKind.EMAIL: "[email address]",
    ReplacementKind.PHONE: "[phone number]",
    ReplacementKind.NI_NUMBER: "[National Insurance number]",
    ReplacementKind.NHS_NUMBER: "[NHS number]",
    ReplacementKind.UPN: "[pupil number]",
    ReplacementKind.OTHER: "[removed]",
}

# For overlapping finds of the same length: the first kind here names the piece.
PRIORITY = (
    ReplacementKind.EMAIL,
    ReplacementKind.NHS_NUMBER,
    ReplacementKind.UPN,
    ReplacementKind.NI_NUMBER,
    ReplacementKind.PHONE,
    ReplacementKind.POSTCODE,
    ReplacementKind.ADDRESS,
    ReplacementKind.SCHOOL,
    ReplacementKind.PERSON,
    ReplacementKind.DATE,
    ReplacementKind.NAME,
    ReplacementKind.INITIALS,
    ReplacementKind.OTHER,
)
_RANK = {kind: rank for rank, kind in enumerate(PRIORITY)}

_IDENTIFIERS = (
    (find_emails, ReplacementKind.EMAIL),
    (find_phone_numbers, ReplacementKind.PHONE),
    (find_postcodes, ReplacementKind.POSTCODE),
    (find_ni_numbers, ReplacementKind.NI_NUMBER),
    (find_nhs_numbers, ReplacementKind.NHS_NUMBER),
    (find_upns, ReplacementKind.UPN),
)

# The same word boundaries as the names detector: not inside a word, not
# after an apostrophe or hyphen; a possessive may follow.
_BEFORE = r"(?<!\w)(?<!\w['’-])"
_AFTER = r"(?!\w)(?![-'’](?!s(?!\w))\w)"
_HONORIFIC = r"(?:(?:" + "|".join(HONORIFICS) + r")\.?\s+)"


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the original text, and what it became (None: kept as it was)."""

    original: str
    replacement: str | None = None
    kind: str = ""

    @property
    def changed(self) -> bool:
        return self.replacement is not None

    @property
    def result(self) -> str:
        return self.original if self.replacement is None else self.replacement


@dataclass(frozen=True, slots=True)
class AnonymisedText:
    pieces: tuple[Piece, ...] = ()

    @property
    def text(self) -> str:
        return "".join(piece.result for piece in self.pieces)

    @property
    def original(self) -> str:
        return "".join(piece.original for piece in self.pieces)

    @property
    def changes(self) -> list[Piece]:
        return [piece for piece in self.pieces if piece.changed]


@dataclass(frozen=True, slots=True)
class _Find:
    start: int
    end: int
    kind: str
    replacement: str
    order: int


def _initials(names: KnownPerson) -> set[str]:
    tokens = [t for t in names.tokens if t[:1].isalpha()]
    if len(tokens) < 2:
        return set()
    return {tokens[0][0].upper() + tokens[-1][0].upper(), "".join(t[0].upper() for t in tokens)}


def _name_parts(names: KnownPerson) -> set[str]:
    """Every word of a person's name and one-word aliases long enough to be a name."""
    words = set(names.tokens)
    words |= {a for a in names.aliases if len(a.split()) == 1}
    return {w.strip(".,") for w in words if len(w.strip(".,")) > 1 and w[:1].isalpha()}


def _capitalised(word: str) -> str:
    forms = {word[:1].upper() + word[1:], word[:1].upper() + word[1:].lower(), word.upper()}
    return "|".join("['’]".join(map(re.escape, re.split("['’]", f))) for f in sorted(forms))


class Anonymiser:
    """Makes the texts of one case study anonymous, consistently."""

    def __init__(
        self,
        *,
        cast: Sequence[CastMember],
        schools: Iterable[str] = (),
        offset: dt.timedelta,
        extra_terms: Iterable[str] = (),
    ):
        self.offset = offset
        self.schools = tuple(s for s in schools if s.strip())
        self.extra_terms = tuple(extra_terms)
        members = [m for m in cast if m.names.tokens]
        self._lookups: list[tuple[CastMember, KnownPerson, tuple[KnownPerson, ...]]] = []
        for member in members:
            same = member.names.full_name.lower()
            # Someone recorded twice (the parent also added as a person) is one
            # person: the earlier entry, first in the cast, names them.
            others = tuple(
                other.names for other in members if other.names.full_name.lower() != same
            )
            self._lookups.append((member, member.names, others))
        parts = set().union(*(_name_parts(m.names) for m in members)) if members else set()
        self._leftover_re = self._compile_parts(parts)
        seen: dict[str, int] = {}
        for member in members:
            for initials in _initials(member.names):
                seen[initials] = seen.get(initials, 0) + 1
        shared = sorted((i for i, n in seen.items() if n > 1), key=len, reverse=True)
        self._initials_re = (
            re.compile(
                _BEFORE
                + "(?:"
                # "JB", "J.B.", "J. B." in capitals, as the names detector writes them.
                + "|".join(r"\.?\s?".join(i) + r"\.?" for i in shared)
                + ")"
                + _AFTER
            )
            if shared
            else None
        )

    @staticmethod
    def _compile_parts(parts: set[str]) -> re.Pattern[str] | None:
        if not parts:
            return None
        body = "|".join(_capitalised(p) for p in sorted(parts, key=len, reverse=True))
        return re.compile(rf"{_BEFORE}{_HONORIFIC}?(?:{body}){_AFTER}")

    def _finds(self, text: str, reference: dt.date) -> list[_Find]:
        finds: list[_Find] = []

        def add(spans, kind, replacement):
            for start, end in spans:
                finds.append(_Find(start, end, kind, replacement, len(finds)))

        for member, names, others in self._lookups:
            spans = [(s.start, s.end) for s in find_people(text, [names], subjects=others)]
            add(spans, ReplacementKind.PERSON, member.pseudonym)
        if self._leftover_re is not None:
            spans = [(m.start(), m.end()) for m in self._leftover_re.finditer(text)]
            add(spans, ReplacementKind.NAME, PLACEHOLDERS[ReplacementKind.NAME])
        if self._initials_re is not None:
            spans = [(m.start(), m.end()) for m in self._initials_re.finditer(text)]
            add(spans, ReplacementKind.INITIALS, PLACEHOLDERS[ReplacementKind.INITIALS])
        add(find_schools(text, self.schools), ReplacementKind.SCHOOL, "[school]")
        add(find_addresses(text), ReplacementKind.ADDRESS, "[address]")
        for detector, kind in _IDENTIFIERS:
            add([(s.start, s.end) for s in detector(text)], kind, PLACEHOLDERS[kind])
        for found in find_dates(text, offset=self.offset, reference=reference):
            finds.append(
                _Find(found.start, found.end, ReplacementKind.DATE, found.replacement, len(finds))
            )
        add(find_terms(text, self.extra_terms), ReplacementKind.OTHER, "[removed]")
        return finds

    def anonymise(self, text: str, *, reference: dt.date) -> AnonymisedText:
        """``text`` as pieces; ``reference`` (the record's date) places dates
        written without a year."""
        if not text:
            return AnonymisedText()
        finds = sorted(
            (f for f in self._finds(text, reference) if f.end > f.start),
            key=lambda f: (f.start, -f.end),
        )
        pieces: list[Piece] = []
        position = 0
        group: list[_Find] = []
        group_end = -1

        def flush():
            nonlocal position
            if not group:
                return
            start = min(f.start for f in group)
            best = min(group, key=lambda f: (-(f.end - f.start), _RANK[f.kind], f.order))
            if start > position:
                pieces.append(Piece(text[position:start]))
            pieces.append(Piece(text[start:group_end], best.replacement, best.kind))
            position = group_end

        for find in finds:
            if group and find.start < group_end:
                group.append(find)
                group_end = max(group_end, find.end)
            else:
                flush()
                group = [find]
                group_end = find.end
        flush()
        if position < len(text):
            pieces.append(Piece(text[position:]))
        return AnonymisedText(tuple(pieces))
