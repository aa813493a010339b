"""Record bodies as safe HTML for the bundle.

Two ways in:

- ``segments_to_html`` turns a redacted plain-text record (the output of
  ``sar.redaction.apply_redactions``) into HTML: kept text escaped, paragraphs
  and line breaks kept, each redaction a black box holding only its reason code.
- ``sanitise_record_html`` cleans HTML that came from outside (an email body): a
  small allow-list of text tags survives; scripts and styles go with their content;
  links, images, media, forms, frames, ``style`` attributes and event handlers go,
  so nothing in a record can name a resource or hide text. ``render_bundle`` runs
  it on every record body, whatever its source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import nh3

from sar.redaction import KeptText, RedactionMarker, Segment

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "div", "span", "blockquote", "pre", "code",
        "strong", "b", "em", "i", "u", "s", "sub", "sup", "small",
        "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "span": {"aria-label"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Removed together with everything inside them.
REMOVED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math"}
)


def sanitise_record_html(body: str) -> str:
    """Keep a safe subset of ``body``: text structure only, nothing that fetches."""
    return nh3.clean(
        body,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values={"span": {"role": {"img"}}},
        allowed_classes={"span": {"redaction"}},
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    )


def redaction_box(label: str) -> str:
    """A redaction as HTML: a black box saying the reason code, e.g. "TP"."""
    code = html.escape(label)
    return f'<span class="redaction" role="img" aria-label="Redacted: {code}">{code}</span>'


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _text_html(text: str) -> str:
    """Escaped text: blank lines end a paragraph, single newlines become <br>."""
    paragraphs = _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    return "</p>\n<p>".join(html.escape(p).replace("\n", "<br>\n") for p in paragraphs)


def segments_to_html(segments: Iterable[Segment]) -> str:
    """A redacted plain-text record as HTML paragraphs, redactions as black boxes."""
    parts = []
    for segment in segments:
        if isinstance(segment, KeptText):
            parts.append(_text_html(segment.text))
        elif isinstance(segment, RedactionMarker):
            parts.append(redaction_box(segment.label))
        else:  # pragma: no cover - Segment is a closed union
            raise TypeError(f"Not a segment: {segment!r}")
    body = "".join(parts).strip()
    return f"<p>{body}</p>" if body else ""
