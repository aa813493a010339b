"""Dates in a case study, moved by one offset and written as they were.

Every date in the text (12/03/2015, 12.3.15, 2015-03-12, 12 March 2015, 12th of
Mar. 2015, March 12, 2015, 12 March, March 2015) is parsed, moved by the
export's offset and written back in the same style, so the text still reads
naturally and intervals (ages, "three weeks later") stay true. A date without
a year takes the year that puts it nearest the record's own date.

The offset is a whole number of weeks, so a weekday the text names ("call
back on Thursday") is still the right one for the moved date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_NAMES = (
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
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
_FULL = {number: names[0] for number, names in enumerate(_MONTH_NAMES, 1)}
_SHORT = {
    number: names[-1] if number != 9 else "sep" for number, names in enumerate(_MONTH_NAMES, 1)
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
# Without a year or a day, a month name must be written as one (capitalised), so
# "may" the verb is left alone ("12 may" and "may 12" likewise need a capital).
_CAP_MONTH = (
    "(?-i:"
    + "|".join(
        sorted(
            {n.capitalize() for n in _MONTHS} | {n.upper() for n in _MONTHS}, key=len, reverse=True
        )
    )
    + r")\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)"

_DATE_RE = re.compile(
    # 12/03/2015, 12-03-2015, 12.03.2015, 12/3/15 (UK order: day first)
    r"(?<![\d/.-])(?P<d1>\d{1,2})(?P<sep>[/.-])(?P<m1>\d{1,2})(?P=sep)(?P<y1>\d{4}|\d{2})(?![\d/]|\.\d)"
    # 2015-03-12
    r"|(?<![\d-])(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})(?![\d-])"
    # 12 March 2015, 12th of March, 2015, 12 Mar
    rf"|(?<!\w)(?P<d3>\d{{1,2}})(?P<o3>{_ORDINAL})?(?P<of3>\s+of)?\s+(?P<mn3>{_MONTH})"
    rf"(?:(?P<c3>,)?\s+(?P<y3>\d{{4}})(?!\d))?(?!\w)"
    # March 12, 2015 / March 12th 2015 / March 12
    rf"|(?<!\w)(?P<mn4>{_MONTH})\s+(?P<d4>\d{{1,2}})(?P<o4>{_ORDINAL})?"
    rf"(?:(?P<c4>,)?\s+(?P<y4>\d{{4}})(?!\d))?(?!\w)"
    # March 2015
    rf"|(?<!\w)(?P<mn5>{_CAP_MONTH})\s+(?P<y5>\d{{4}})(?!\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    start: int
    end: int
    text: str
    replacement: str


def _two_digit_year(value: int, reference: dt.date) -> int:
    # The century that puts the year nearest the record's date.
    candidates = [century + value for century in (1900, 2000, 2100)]
    return min(candidates, key=lambda year: abs(year - reference.year))


def _nearest_year(month: int, day: int, reference: dt.date) -> dt.date | None:
    best = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs(candidate - reference) < abs(best - reference):
            best = candidate
    return best


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _month_text(original: str, month: int) -> str:
    """``month`` named the way ``original`` was: full or short, same case, same dot."""
    dot = "." if original.endswith(".") else ""
    bare = original.rstrip(".")
    name = _FULL[month] if bare.lower() == _FULL[_MONTHS[bare.lower()]] else _SHORT[month]
    if bare.lower() == "sept":
        name = "sept" if month == 9 else name
    if bare.isupper() and len(bare) > 1:
        name = name.upper()
    elif bare[:1].isupper():
        name = name.capitalize()
    return name + dot


def _two(value: int, padded: bool) -> str:
    return f"{value:02d}" if padded else str(value)


def _shift(match: re.Match[str], offset: dt.timedelta, reference: dt.date) -> str | None:
    """The moved date in the style of ``match``, or None if it is not a real date."""
    g = match.groupdict()
    try:
        if g["d1"]:
            year = int(g["y1"])
            if len(g["y1"]) == 2:
                year = _two_digit_year(year, reference)
            moved = dt.date(year, int(g["m1"]), int(g["d1"])) + offset
            y = str(moved.year) if len(g["y1"]) == 4 else f"{moved.year % 100:02d}"
            # "03/04/2024" pads both parts; "3/4/2024" neither.
            padded = g["d1"].startswith("0") or g["m1"].startswith("0")
            sep = g["sep"]
            return f"{_two(moved.day, padded)}{sep}{_two(moved.month, padded)}{sep}{y}"
        if g["y2"]:
            moved = dt.date(int(g["y2"]), int(g["m2"]), int(g["d2"])) + offset
            padded = len(g["m2"]) == 2 or len(g["d2"]) == 2
            return f"{moved.year}-{_two(moved.month, padded)}-{_two(moved.day, padded)}"
        if g["d3"]:
            if not g["y3"] and not g["mn3"][:1].isupper():
                return None
            month = _MONTHS[g["mn3"].lower().rstrip(".")]
            day = int(g["d3"])
            when = (
                dt.date(int(g["y3"]), month, day)
                if g["y3"]
                else _nearest_year(month, day, reference)
            )
            if when is None:
                return None
            moved = when + offset
            out = str(moved.day)
            if g["o3"]:
                out += _ordinal(moved.day)
            if g["of3"]:
                out += " of"
            out += " " + _month_text(g["mn3"], moved.month)
            if g["y3"]:
                out += f"{g['c3'] or ''} {moved.year}"
            return out
        if g["d4"]:
            if not g["y4"] and not g["mn4"][:1].isupper():
                return None
            month = _MONTHS[g["mn4"].lower().rstrip(".")]
            day = int(g["d4"])
            when = (
                dt.date(int(g["y4"]), month, day)
                if g["y4"]
                else _nearest_year(month, day, reference)
            )
            if when is None:
                return None
            moved = when + offset
            out = f"{_month_text(g['mn4'], moved.month)} {moved.day}"
            if g["o4"]:
                out += _ordinal(moved.day)
            if g["y4"]:
                out += f"{g['c4'] or ''} {moved.year}"
            return out
        if g["mn5"]:
            month = _MONTHS[g["mn5"].lower().rstrip(".")]
            moved = dt.date(int(g["y5"]), month, 15) + offset
            return f"{_month_text(g['mn5'], moved.month)} {moved.year}"
    except (ValueError, OverflowError):
        return None
    return None  # pragma: no cover - every alternative sets one group


def find_dates(text: str, *, offset: dt.timedelta, reference: dt.date) -> list[FoundDate]:
    """Every date in ``text`` with its moved form. ``reference`` (the record's
    date) settles two-digit years and dates written without a year."""
    out = []
    for match in _DATE_RE.finditer(text):
        moved = _shift(match, offset, reference)
        if moved is not None:
            out.append(FoundDate(match.start(), match.end(), match.group(), moved))
    return out
