"""Record bodies become safe HTML: redactions as reason-only boxes, hostile markup gone."""

import pytest

from sar.pdf.sanitise import redaction_box, sanitise_record_html, segments_to_html
from sar.redaction import KnownPerson, apply_redactions, suggest
from tests.sar.pdf_support import hostile_html


def test_segments_become_paragraphs_with_black_boxes_and_no_redacted_text():
    text = "Sam Jones rang <school>.\nHe was upset.\n\nMrs Jones & Sam's dad came."
    segments = apply_redactions(text, suggest(text, people=[KnownPerson("Sam Jones")]))
    html = segments_to_html(segments)
    box = redaction_box("TP")
    assert html == (
        f"<p>{box} rang &lt;school&gt;.<br>\nHe was upset.</p>\n"
        f"<p>{box} &amp; {box}&#x27;s dad came.</p>"
    )
    assert "Sam" not in html
    assert "Jones" not in html
    assert box == '<span class="redaction" role="img" aria-label="Redacted: TP">TP</span>'


def test_empty_text_is_empty_html():
    assert segments_to_html([]) == ""


def test_sanitiser_keeps_text_structure_and_redaction_boxes():
    body = (
        "<h3>Notes</h3><p>A <strong>b</strong> <em>c</em></p><ul><li>one</li></ul>"
        '<table><tr><th scope="col">h</th></tr><tr><td>d</td></tr></table>' + redaction_box("SH")
    )
    clean = sanitise_record_html(body)
    for fragment in ("<h3>Notes</h3>", "<strong>b</strong>", "<li>one</li>", 'scope="col"'):
        assert fragment in clean
    assert redaction_box("SH") in clean


@pytest.mark.parametrize(
    "fragment",
    [
        "<script", "SCRIPT-RAN", "<style", "@import", "@font-face", "<link", "<img",
        "<object", "<embed", "<iframe", "<svg", "<image", "href=", "src=", "style=",
        "127.0.0.1", "file:", "<a ",
    ],
)  # fmt: skip
def test_sanitiser_removes_everything_that_could_fetch_or_run(fragment):
    clean = sanitise_record_html(hostile_html(8))
    assert fragment not in clean
    assert "Hostile record." in clean
    assert "After." in clean


def test_sanitiser_drops_event_handlers_and_foreign_classes():
    clean = sanitise_record_html(
        '<p onclick="x()" class="redaction">a</p>'
        '<span class="redaction evil" role="button">b</span>'
    )
    assert clean == '<p>a</p><span class="redaction">b</span>'
