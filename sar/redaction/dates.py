"""Dates of birth of people other than the subject.

A date is suggested when a birth cue ("born", "DOB", "d.o.b.", "date of birth")
stands just before it (or just after, as in "12/03/2015 (DOB)") and it is not the
date of birth of a subject of the request: the subject's own date of birth is
their data, and a parent asking for their child's records gets it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from .codes import SuggestionKind
from .spans import Suggestion

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"

_DATE_RE = re.compile(
    # 12/03/2015, 12-03-2015, 12.03.2015, 12/3/15 (UK order: day first)
    r"(?<![\d/.-])(?P<d1>\d{1,2})(?P<sep>[/.-])(?P<m1>\d{1,2})(?P=sep)(?P<y1>\d{4}|\d{2})(?![\d/])"
    # 2015-03-12
    r"|(?<![\d-])(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})(?![\d-])"
    # 12 March 2015, 12th March 2015, 12th of March, 2015
    rf"|(?<!\w)(?P<d3>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<mn3>{_MONTH}),?\s+(?P<y3>\d{{4}})(?!\d)"
    # March 12, 2015 / March 12th 2015
    rf"|(?<!\w)(?P<mn4>{_MONTH})\s+(?P<d4>\d{{1,2}}){_ORDINAL},?\s+(?P<y4>\d{{4}})(?!\d)",
    re.IGNORECASE,
)

_CUE_RE = re.compile(
    r"(?<!\w)(?:born|birthday|date\s+of\s+birth|birth\s+date|d\.?\s?o\.?\s?b\.?)(?!\w)",
    re.IGNORECASE,
)

# How far a cue may be from the date it introduces ("born on the 12th of ...").
_CUE_BEFORE = 40
_CUE_AFTER = 20


def parse_uk_date(match: re.Match[str]) -> dt.date | None:
    """The date a ``_DATE_RE`` match stands for, or None if it is not a real date."""
    g = match.groupdict()
    try:
        if g["d1"]:
            year = int(g["y1"])
            if len(g["y1"]) == 2:
                # Two-digit years: a birth date is in the past.
                this_year = dt.date.today().year % 100
                year += 2000 if year <= this_year else 1900
            return dt.date(year, int(g["m1"]), int(g["d1"]))
        if g["y2"]:
            return dt.date(int(g["y2"]), int(g["m2"]), int(g["d2"]))
        if g["d3"]:
            return dt.date(int(g["y3"]), _MONTHS[g["mn3"].lower().rstrip(".")], int(g["d3"]))
        if g["d4"]:
            return dt.date(int(g["y4"]), _MONTHS[g["mn4"].lower().rstrip(".")], int(g["d4"]))
    except ValueError:
        return None
    return None  # pragma: no cover - every alternative sets one group


def _near_cue(text: str, start: int, end: int) -> bool:
    """A cue just before or after the date, with no other date in between (so in
    "DOB 01/02/2010, seen on 05/06/2023" only the first date counts)."""
    before = list(_CUE_RE.finditer(text, max(0, start - _CUE_BEFORE), start))
    if before and not _DATE_RE.search(text, before[-1].end(), start):
        return True
    after = _CUE_RE.search(text, end, end + _CUE_AFTER)
    return bool(after and not _DATE_RE.search(text, end, after.start()))


def find_other_dates_of_birth(
    text: str, *, subject_dob: dt.date | Iterable[dt.date] | None = None
) -> list[Suggestion]:
    """Dates near a birth cue, except the subject's (or subjects') own date of birth."""
    if subject_dob is None:
        own: set[dt.date] = set()
    elif isinstance(subject_dob, dt.date):
        own = {subject_dob}
    else:
        own = set(subject_dob)
    out = []
    for match in _DATE_RE.finditer(text):
        when = parse_uk_date(match)
        if when is None or when in own:
            continue
        if _near_cue(text, match.start(), match.end()):
            out.append(
                Suggestion(match.start(), match.end(), match.group(), SuggestionKind.DATE_OF_BIRTH)
            )
    return out
