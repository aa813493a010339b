"""Names of the known third parties on a case.

Matching is case-insensitive and whole-word: "Sam" matches "Sam", "SAM" and
"Sam's" but not "Samuel", "sample" or the "Sam" of "Sam-Jo". A person is found by
full name, first and last name, first name, surname and aliases, with an
honorific ("Mrs Jones") taken into the span; by initials ("S. Jones", "SJ") only
where no other known person shares them.

Professionals acting in their professional role are not suggested unless the
caseworker asks for it (``redact_professional``), following the ICO's guidance that
what a professional did in their role is usually disclosable.

The subjects of the request (and the requester) are never third parties: a name
token shared with a subject (a sibling's surname) is not matched on its own, and a
match inside a subject's name is dropped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .codes import SuggestionKind
from .spans import Suggestion


@dataclass(frozen=True, slots=True)
class KnownPerson:
    """Someone named in the records: a third party, or (as a subject) the requester or child."""

    full_name: str
    aliases: tuple[str, ...] = ()
    role: str = ""
    is_professional: bool = False
    redact_professional: bool = False

    @property
    def tokens(self) -> list[str]:
        return self.full_name.split()

    @property
    def is_suggested(self) -> bool:
        return not self.is_professional or self.redact_professional


# Name tokens that are also everyday words ("will", "young person", "grace period"):
# matched only when capitalised as a name ("Will", "WILL"), or inside a longer form.
COMMON_WORD_NAMES = frozenset(
    [
        "amber",
        "april",
        "art",
        "august",
        "banks",
        "bell",
        "best",
        "bill",
        "black",
        "brook",
        "brown",
        "chance",
        "chase",
        "church",
        "cook",
        "cross",
        "dawn",
        "day",
        "dean",
        "drew",
        "earl",
        "east",
        "faith",
        "field",
        "fox",
        "frank",
        "grace",
        "grant",
        "green",
        "guy",
        "hall",
        "heather",
        "hill",
        "holly",
        "hope",
        "hunt",
        "iris",
        "ivy",
        "jade",
        "joy",
        "june",
        "king",
        "lane",
        "law",
        "little",
        "long",
        "love",
        "mark",
        "marsh",
        "may",
        "miles",
        "north",
        "page",
        "park",
        "pat",
        "pearl",
        "penny",
        "ray",
        "reed",
        "rich",
        "rob",
        "rose",
        "ruby",
        "sandy",
        "sharp",
        "short",
        "small",
        "south",
        "summer",
        "sunny",
        "wade",
        "walker",
        "ward",
        "west",
        "white",
        "will",
        "wise",
        "wood",
        "young",
    ]
)

HONORIFICS = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Master", "Sir", "Dame")
_HONORIFIC = r"(?:(?:" + "|".join(HONORIFICS) + r")\.?\s+)"
# Not inside a word, and not after an apostrophe or hyphen ("O'Brien", "Smith-Jones").
_BEFORE = r"(?<!\w)(?<!\w['’-])"
# Not followed by more word; a possessive ("Sam's", "James'") is fine, "Sam-Jo" is not.
_AFTER = r"(?!\w)(?![-'’](?!s(?!\w))\w)"


def _token_re(token: str) -> str:
    """A name token; a straight or curly apostrophe matches either."""
    return "['’]".join(re.escape(part) for part in re.split("['’]", token))


def _phrase_re(words: Iterable[str]) -> str:
    return r"\s+".join(_token_re(word) for word in words)


def _single_word_re(word: str) -> str:
    """A lone name token; an everyday word must be capitalised to count as a name."""
    if word.lower() in COMMON_WORD_NAMES:
        capitalised = _token_re(word[:1].upper() + word[1:].lower())
        return rf"(?-i:{capitalised}|{_token_re(word.upper())})"
    return _token_re(word)


def _initials(person: KnownPerson) -> set[str]:
    """Initials as written for this person: first + last, and with middle initials."""
    tokens = [t for t in person.tokens if t[:1].isalpha()]
    if len(tokens) < 2:
        return set()
    all_initials = "".join(t[0].upper() for t in tokens)
    return {tokens[0][0].upper() + tokens[-1][0].upper(), all_initials}


def _initial_surname_key(person: KnownPerson) -> tuple[str, str] | None:
    tokens = person.tokens
    if len(tokens) < 2:
        return None
    return tokens[0][0].upper(), tokens[-1].lower()


def _patterns_for(
    person: KnownPerson, *, everyone: list[KnownPerson], reserved_tokens: set[str]
) -> list[str]:
    tokens = person.tokens
    if not tokens:
        return []
    patterns = [rf"{_HONORIFIC}?{_phrase_re(tokens)}"]
    if len(tokens) > 2:
        patterns.append(rf"{_HONORIFIC}?{_phrase_re([tokens[0], tokens[-1]])}")
    for alias in person.aliases:
        words = alias.split()
        if len(words) == 1:
            if words[0].lower() not in reserved_tokens:
                patterns.append(_single_word_re(words[0]))
        elif words:
            patterns.append(_phrase_re(words))
    if tokens[0].lower() not in reserved_tokens:
        patterns.append(_single_word_re(tokens[0]))
    if len(tokens) > 1 and tokens[-1].lower() not in reserved_tokens:
        patterns.append(rf"(?:{_HONORIFIC}{_token_re(tokens[-1])}|{_single_word_re(tokens[-1])})")

    others = [p for p in everyone if p is not person]
    key = _initial_surname_key(person)
    if key and all(_initial_surname_key(p) != key for p in others):
        initial, _ = key
        # "S. Jones", "S Jones", "S.Jones": the initial is a capital letter.
        patterns.append(rf"(?-i:{initial})\.?\s*{_token_re(tokens[-1])}")
    taken = set().union(*(_initials(p) for p in others)) if others else set()
    for initials in sorted(_initials(person) - taken):
        # "SJ", "S.J.", "S. J." in capitals only.
        dotted = r"\.?\s?".join(initials) + r"\.?"
        patterns.append(rf"(?-i:{initials}|{dotted})")
    return patterns


def _compile(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    # Longest alternatives first, so "Sam Jones" wins over "Sam" at the same place.
    body = "|".join(sorted(set(patterns), key=len, reverse=True))
    return re.compile(rf"{_BEFORE}(?:{body}){_AFTER}", re.IGNORECASE)


def _find(regex: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    if regex is None:
        return []
    return [(m.start(), m.end()) for m in regex.finditer(text)]


@functools.lru_cache(maxsize=64)
def _matchers(
    people: tuple[KnownPerson, ...], subjects: tuple[KnownPerson, ...]
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """One regex for every third party's forms, one for the subjects' names.

    Cached: a case's people are the same for each of its records.
    """
    everyone = list(people) + list(subjects)
    reserved = {token.lower() for s in subjects for token in s.tokens}
    reserved |= {alias.lower() for s in subjects for alias in s.aliases}
    patterns = [
        pattern
        for person in people
        if person.is_suggested
        for pattern in _patterns_for(person, everyone=everyone, reserved_tokens=reserved)
    ]
    protected = [_phrase_re(s.tokens) for s in subjects if s.tokens]
    protected += [_phrase_re(a.split()) for s in subjects for a in s.aliases if a.split()]
    return _compile(patterns), _compile(protected)


def find_people(
    text: str,
    people: Iterable[KnownPerson],
    *,
    subjects: Iterable[KnownPerson] = (),
) -> list[Suggestion]:
    """Mentions of known third parties, in text order."""
    matcher, subject_matcher = _matchers(tuple(people), tuple(subjects))
    protected = _find(subject_matcher, text)
    out: list[Suggestion] = []
    for start, end in _find(matcher, text):
        if any(p_start <= start and end <= p_end for p_start, p_end in protected):
            continue
        out.append(Suggestion(start, end, text[start:end], SuggestionKind.PERSON))
    return out
