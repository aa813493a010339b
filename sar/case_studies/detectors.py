"""What a case study removes beyond the redaction detectors: schools,
street addresses, and words a member of staff asks to remove.

Each ``find_*`` returns ``(start, end)`` spans in text order. They err towards
removing: a training case study loses nothing by "[school]" where a name of a
school was not one, and loses everything if a real one stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words that end the name of a school or setting ("Wade Primary School",
# "St Mary's C of E Academy", "Riverside Nursery").
_SCHOOL_KIND = (
    r"(?:School|Academy|College|Nursery|Pre-?[Ss]chool|Federation|University|Sixth\s+Form)"
)
# A capitalised word (a possessive, initial or hyphenated name included).
_CAP = r"[A-Z][\w'’.&-]*"
# Small words allowed between capitalised ones ("St Mary of the Angels").
_LINK = r"(?:of|and|the|de|la|le|in|on|&)"
# At least one capitalised word right before the kind, links only between
# capitalised words: "the School" or "at school" is not a name.
_SCHOOL_RE = re.compile(
    rf"(?<![\w'’-]){_CAP}(?:\s+(?:{_LINK}\s+)?{_CAP}){{0,5}}\s+{_SCHOOL_KIND}(?![\w-])"
)
# Generic words at the end of a known school's name, dropped for its short
# form ("Wade Primary School" is also written "Wade Primary").
_SCHOOL_SUFFIXES = {
    "school",
    "academy",
    "college",
    "nursery",
    "pre-school",
    "preschool",
    "federation",
}


def school_variants(name: str) -> list[str]:
    """How a known school's name may be written: in full, and without its
    last generic word when what is left is still more than one word."""
    words = name.split()
    variants = [" ".join(words)] if words else []
    if len(words) > 2 and words[-1].lower() in _SCHOOL_SUFFIXES:
        variants.append(" ".join(words[:-1]))
    return variants


def find_schools(text: str, known: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Names of schools and settings: the known ones (the children's
    ``school_or_setting``, any case) and anything named like a school."""
    spans = [(m.start(), m.end()) for m in _SCHOOL_RE.finditer(text)]
    phrases = sorted({v for name in known for v in school_variants(name)}, key=len, reverse=True)
    if phrases:
        body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
        pattern = re.compile(rf"(?<![\w'’-])(?:{body})(?![\w-])", re.IGNORECASE)
        spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return sorted(spans)


# Thoroughfare words: Royal Mail's common ones, and the rest of those seen in
# British addresses (and in the fictional ones Faker writes for the demo).
# Written as prose, one word each, so the list stays readable.
STREET_TYPES = (  # noqa: SIM905
    "Alley Approach Avenue Ave Bank Boulevard Bridge Broadway Brook Brow Buildings Bypass "
    "Causeway Centre Chase Circle Circus Close Common Copse Corner Cottages Court Courts Cove "
    "Crescent Cres Croft Cross Crossing Dale Dene Drive Drove End Estate Estates Fields Fold "
    "Gardens Garth Gate Gateway Glade Glen Grange Green Grove Heights Hill Hills Hollow Keys "
    "Knoll Landing Lane Lawn Lea Leys Lodge Loke Manor Market Mead Meadow Meadows Mews Mill "
    "Mills Mount Nook Orchard Oval Parade Park Parkway Passage Path Place Plaza Point Precinct "
    "Promenade Quay Rise Ridge Road Rd Row Spur Square Sq Strand Street St Terrace Trail Vale "
    "Valley View Villas Walk Way Wharf Wood Yard"
).split()
_STREET_TYPE = "(?:" + "|".join(sorted(STREET_TYPES, key=len, reverse=True)) + ")"
# "Flat 3", "Studio 12b", "Unit 4".
_SUB_BUILDING = r"(?:Flat|Apartment|Apt\.?|Studio|Unit|Room|Suite)\s+\d{1,4}[A-Za-z]?"
_NUMBER = r"\d{1,4}[A-Za-z]?(?:\s?-\s?\d{1,4}[A-Za-z]?)?"
_STREET_NAME = rf"(?:{_CAP}\s+){{1,3}}{_STREET_TYPE}(?![\w-])"
_TOWN = r"[A-Z][a-z'’-]+(?:[ -][A-Z][a-z'’-]+){0,2}"
_POSTCODE_AHEAD = r"[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}(?![A-Za-z0-9])"
_ADDRESS_RE = re.compile(
    rf"(?<![\w'’-])"
    rf"(?:"
    # 12 High Street; 12a-14 Mill Lane; Flat 3, 12 High Street
    rf"(?:{_SUB_BUILDING},?\s+)?{_NUMBER},?\s+{_STREET_NAME}"
    # Studio 5, Carter Spur (a flat's number, no house number)
    rf"|{_SUB_BUILDING},?\s+{_STREET_NAME}"
    rf")"
    # the town, when a postcode follows it: "..., Exampletown, OX1 2AB"
    rf"(?:,?\s+{_TOWN}(?=,?\s+{_POSTCODE_AHEAD}))?"
)


def find_addresses(text: str) -> list[tuple[int, int]]:
    """Street addresses: a house or flat number and a street ("12 High Street",
    "Flat 3, 12 Mill Lane", "Studio 5, Carter Spur"), with the town when a
    postcode follows. Postcodes are found by the redaction detector."""
    return [(m.start(), m.end()) for m in _ADDRESS_RE.finditer(text)]


MAX_EXTRA_TERMS = 50
MAX_EXTRA_TERM_LENGTH = 100


def clean_extra_terms(raw: str) -> list[str]:
    """The words a member of staff asked to remove, one a line: trimmed,
    blank lines and repeats dropped, at most ``MAX_EXTRA_TERMS``."""
    seen: dict[str, str] = {}
    for line in raw.splitlines():
        term = " ".join(line.split())[:MAX_EXTRA_TERM_LENGTH]
        if term and term.lower() not in seen:
            seen[term.lower()] = term
    return list(seen.values())[:MAX_EXTRA_TERMS]


def find_terms(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Whole-word, case-insensitive occurrences of ``terms``."""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return []
    body = "|".join(r"\s+".join(map(re.escape, t.split())) for t in terms)
    pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]
