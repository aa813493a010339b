"""A record's text as the redaction review screen shows it: runs of plain
text and marked spans (suggested, redacted, kept), each run carrying where it
starts, so a selection made in the browser can be turned back into offsets.

Offsets on the page are in the browser's terms, not Python's: the HTML parser
turns "\\r\\n" and a lone "\\r" into "\\n", and JavaScript counts characters
outside the Basic Multilingual Plane (most emoji) as two. ``to_dom`` and
``from_dom`` convert between the two, so the offsets the script posts are
mapped onto the record's text exactly; the domain then checks the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from sar.models import RedactionDecision

PLAIN = "plain"
SUGGESTED = "suggested"
REDACTED = "redacted"
KEPT = "kept"

# Which state shows when spans overlap: a redaction wins over a suggestion,
# which wins over words kept.
_RANK = {REDACTED: 3, SUGGESTED: 2, KEPT: 1, PLAIN: 0}


def _units(text: str, index: int) -> int:
    """How many browser characters ``text[index]`` becomes."""
    char = text[index]
    if char == "\r":
        # "\r\n" is one "\n" on the page; a lone "\r" becomes "\n".
        return 0 if text[index + 1 : index + 2] == "\n" else 1
    return 2 if ord(char) > 0xFFFF else 1


def newlines(text: str) -> str:
    """``text`` with its line breaks as the browser shows them (a "\\n" each)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def to_dom(text: str) -> list[int]:
    """Browser offset of every Python offset 0..len(text) of ``text``."""
    offsets = [0]
    for index in range(len(text)):
        offsets.append(offsets[-1] + _units(text, index))
    return offsets


def from_dom(text: str, dom_offset: int) -> int | None:
    """The Python offset of browser offset ``dom_offset``, or None if it falls
    inside a character (half of a surrogate pair) or outside the text."""
    offsets = to_dom(text)
    if not 0 <= dom_offset <= offsets[-1]:
        return None
    # The last Python offset with this browser offset: after a "\r" that
    # vanished into "\r\n", not before it.
    candidates = [i for i, value in enumerate(offsets) if value == dom_offset]
    return candidates[-1] if candidates else None


@dataclass(frozen=True)
class Run:
    """A stretch of text in one state. ``ref`` names the suggestion or
    decision it belongs to (an anchor on the page); ``offset`` is where it
    starts, in browser characters."""

    text: str
    offset: int
    state: str = PLAIN
    label: str = ""
    ref: str = ""


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    state: str
    label: str
    ref: str


def suggestion_marks(field_name: str, suggestions) -> list[Mark]:
    return [
        Mark(s.start, s.end, SUGGESTED, s.kind.label, suggestion_ref(field_name, s))
        for s in suggestions
    ]


def decision_marks(decisions) -> list[Mark]:
    marks = []
    for d in decisions:
        if d.decision == RedactionDecision.ACCEPTED:
            marks.append(Mark(d.start, d.end, REDACTED, d.reason_code, decision_ref(d)))
        else:
            marks.append(Mark(d.start, d.end, KEPT, "", decision_ref(d)))
    return marks


def suggestion_ref(field_name: str, suggestion) -> str:
    return f"suggestion-{field_name}-{suggestion.start}-{suggestion.end}"


def decision_ref(decision) -> str:
    return f"decision-{decision.pk}"


def runs(text: str, marks: list[Mark]) -> list[Run]:
    """``text`` cut into runs at every mark's ends; each run takes the state
    of the highest-ranked mark covering it. Marks outside the text (a decision
    left behind by an edit) are clipped."""
    length = len(text)
    marks = [m for m in marks if min(m.end, length) > max(m.start, 0)]
    cuts = sorted(
        {0, length, *(max(0, m.start) for m in marks), *(min(length, m.end) for m in marks)}
    )
    dom = to_dom(text)
    result: list[Run] = []
    for start, end in pairwise(cuts):
        if start == end:
            continue
        covering = [m for m in marks if m.start <= start and m.end >= end]
        best = max(covering, key=lambda m: _RANK[m.state], default=None)
        state, label, ref = (best.state, best.label, best.ref) if best else (PLAIN, "", "")
        previous = result[-1] if result else None
        if previous and (previous.state, previous.ref) == (state, ref):
            result[-1] = Run(previous.text + text[start:end], previous.offset, state, label, ref)
        else:
            result.append(Run(text[start:end], dom[start], state, label, ref))
    return result
