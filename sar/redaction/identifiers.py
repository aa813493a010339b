"""Detectors for identifiers: email addresses, phone numbers, postcodes, NI, NHS and UPNs.

Each ``find_*`` takes text and returns suggestions in text order. Numbers with a
check digit (NHS) or check letter (UPN) are suggested only when the check passes,
so a reference number that merely looks like one is left alone.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency

from .codes import SuggestionKind
from .spans import Suggestion

_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w-])"
)


def find_emails(text: str) -> list[Suggestion]:
    return [
        Suggestion(m.start(), m.end(), m.group(), SuggestionKind.EMAIL)
        for m in _EMAIL_RE.finditer(text)
    ]


def _looks_like_uk_dialling(raw: str) -> bool:
    digits = raw.lstrip("( ")
    return digits.startswith(("0", "+44", "0044"))


def find_phone_numbers(text: str) -> list[Suggestion]:
    """UK phone numbers (and international ones written with a +country code).

    A number libphonenumber holds valid is suggested; so is one written the UK
    way (leading 0 or +44) that is merely a *possible* UK number, such as Ofcom's
    drama ranges (07700 900xxx), because a wrongly typed real number is still
    personal data. One pass at POSSIBLE leniency, then those checks.
    """
    out = []
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=Leniency.POSSIBLE):
        number = match.number
        uk_possible = (
            number.country_code == 44
            and _looks_like_uk_dialling(match.raw_string)
            and phonenumbers.is_possible_number(number)
        )
        if uk_possible or phonenumbers.is_valid_number(number):
            out.append(Suggestion(match.start, match.end, match.raw_string, SuggestionKind.PHONE))
    return out


# UK postcodes: outward code A9, A99, AA9, AA99, A9A or AA9A, then the inward code
# 9AA; letters restricted by position as Royal Mail allocates them; plus GIR 0AA.
_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR ?0AA|"
    r"[A-PR-UWYZ](?:\d[A-HJKPSTUW]|\d{1,2}|[A-HK-Y]\d[ABEHMNPRV-Y]|[A-HK-Y]\d{1,2})"
    r" ?\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def find_postcodes(text: str) -> list[Suggestion]:
    return [
        Suggestion(m.start(), m.end(), m.group(), SuggestionKind.POSTCODE)
        for m in _POSTCODE_RE.finditer(text)
    ]


# National Insurance number (HMRC): first letter not D F I Q U V; second letter not
# D F I O Q U V; the prefixes BG GB KN NK NT TN ZZ are never issued; six digits;
# suffix A-D. Spaces between the pairs are optional.
_NI_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?!(?:BG|GB|KN|NK|NT|TN|ZZ))"
    r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D]"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def find_ni_numbers(text: str) -> list[Suggestion]:
    return [
        Suggestion(m.start(), m.end(), m.group(), SuggestionKind.NI_NUMBER)
        for m in _NI_RE.finditer(text)
    ]


# NHS number: ten digits, usually written 3-3-4 with spaces or hyphens.
_NHS_RE = re.compile(r"(?<![\d-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d]|-\d)")


def nhs_number_is_valid(digits: str) -> bool:
    """Modulus 11: weights 10..2 on the first nine digits; 11 - remainder is the check
    digit (11 counts as 0; 10 means the number can never be valid)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_nhs_numbers(text: str) -> list[Suggestion]:
    out = []
    for m in _NHS_RE.finditer(text):
        if nhs_number_is_valid(m.group(1) + m.group(3) + m.group(4)):
            out.append(Suggestion(m.start(), m.end(), m.group(), SuggestionKind.NHS_NUMBER))
    return out


# Unique Pupil Number (DfE): a check letter, then 12 characters: LA number (3 digits),
# establishment number (4), academic year (2), serial (3 digits, or 2 digits and a
# letter for a temporary UPN). The check letter is sum(value * position) over
# positions 2-13, modulo 23, looked up in this table (no I, O or S); a temporary
# UPN's final letter counts as its index in the same table.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z])(\d{11}[0-9A-Z])(?![A-Za-z0-9])")


def upn_check_letter(body: str) -> str | None:
    """The check letter for the 12 characters after it, or None if they are malformed."""
    if len(body) != 12 or not body[:11].isdigit():
        return None
    last = body[11]
    if last.isdigit():
        last_value = int(last)
    elif last in UPN_LETTERS:
        last_value = UPN_LETTERS.index(last)
    else:
        return None
    values = [int(c) for c in body[:11]] + [last_value]
    total = sum(value * position for value, position in zip(values, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23]


def upn_is_valid(upn: str) -> bool:
    return len(upn) == 13 and upn_check_letter(upn[1:]) == upn[0]


def find_upns(text: str) -> list[Suggestion]:
    return [
        Suggestion(m.start(), m.end(), m.group(), SuggestionKind.UPN)
        for m in _UPN_RE.finditer(text)
        if upn_is_valid(m.group())
    ]
