"""Spans of text to redact, and the redacted form of a text.

A redaction is removed from the text before any HTML is built: ``apply_redactions``
returns kept text and markers that carry only the reason, never the words they
replace, so nothing downstream (HTML, PDF text layer, alt text, metadata) can leak them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .codes import KIND_PRIORITY, ReasonCode, SuggestionKind


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A span a detector suggests redacting: ``text[start:end] == self.text``."""

    start: int
    end: int
    text: str
    kind: SuggestionKind
    reason_code: ReasonCode = ReasonCode.THIRD_PARTY


class Span(Protocol):
    """Anything with a start, an end and a reason: a Suggestion, a saved redaction."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def reason_code(self) -> str: ...


@dataclass(frozen=True, slots=True)
class KeptText:
    """Text shown as it is."""

    text: str


@dataclass(frozen=True, slots=True)
class RedactionMarker:
    """Where redacted text was: holds the reason code(s) only, never the text."""

    reason_codes: tuple[ReasonCode, ...]

    @property
    def label(self) -> str:
        """What the black box says, e.g. "TP" or "SH/TP"."""
        return "/".join(code.value for code in self.reason_codes)


Segment = KeptText | RedactionMarker


def _priority(kind: SuggestionKind) -> int:
    return KIND_PRIORITY.index(kind)


def merge_suggestions(text: str, suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """Sort and merge overlapping suggestions into non-overlapping ones.

    Overlapping spans become their union; the longest of them (then the most
    specific kind) gives the merged span its kind and reason.
    """
    ordered = sorted(suggestions, key=lambda s: (s.start, -s.end))
    merged: list[Suggestion] = []
    group: list[Suggestion] = []
    group_end = -1

    def flush() -> None:
        if not group:
            return
        start = min(s.start for s in group)
        end = max(s.end for s in group)
        best = min(group, key=lambda s: (-(s.end - s.start), _priority(s.kind)))
        merged.append(Suggestion(start, end, text[start:end], best.kind, best.reason_code))

    for suggestion in ordered:
        if suggestion.end <= suggestion.start:
            continue
        if group and suggestion.start < group_end:
            group.append(suggestion)
            group_end = max(group_end, suggestion.end)
        else:
            flush()
            group = [suggestion]
            group_end = suggestion.end
    flush()
    return merged


def _code(value: str) -> ReasonCode:
    return ReasonCode(value)


def apply_redactions(text: str, spans: Iterable[Span]) -> list[Segment]:
    """Split ``text`` into kept text and redaction markers.

    Overlapping or touching spans with the same reason become one marker;
    overlapping spans with different reasons become one marker listing every
    reason. Out-of-range spans are clipped to the text; empty ones are ignored.
    """
    cleaned = sorted(
        (max(0, s.start), min(len(text), s.end), _code(s.reason_code))
        for s in spans
        if min(len(text), s.end) > max(0, s.start)
    )
    # Union of overlapping spans, collecting their codes.
    groups: list[tuple[int, int, set[ReasonCode]]] = []
    for start, end, code in cleaned:
        if groups:
            g_start, g_end, g_codes = groups[-1]
            overlaps = start < g_end
            touches_same = start == g_end and g_codes == {code}
            if overlaps or touches_same:
                groups[-1] = (g_start, max(g_end, end), g_codes | {code})
                continue
        groups.append((start, end, {code}))

    order = list(ReasonCode)
    segments: list[Segment] = []
    position = 0
    for start, end, codes in groups:
        if start > position:
            segments.append(KeptText(text[position:start]))
        segments.append(RedactionMarker(tuple(sorted(codes, key=order.index))))
        position = end
    if position < len(text):
        segments.append(KeptText(text[position:]))
    return segments


def redacted_plain_text(segments: Sequence[Segment]) -> str:
    """The segments as plain text, each marker shown as ``[CODE]`` (for previews and logs)."""
    return "".join(seg.text if isinstance(seg, KeptText) else f"[{seg.label}]" for seg in segments)
