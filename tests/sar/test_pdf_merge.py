"""The streaming merger: references renumbered, strings untouched, a well-formed file."""

import io

import pikepdf
import pypdf
import pytest

from sar.pdf.writer import Renumber, remap
from tests.sar.test_pdf_render import FRONT, HEADER, _record


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"<< /P 12 0 R /K [ 3 0 R 7 ] >>", b"<< /P 112 0 R /K [ 103 0 R 7 ] >>"),
        (b"<< /Alt (see 12 0 R) /K 12 0 R >>", b"<< /Alt (see 12 0 R) /K 112 0 R >>"),
        (b"<< /T (a\\) 12 0 R) /K 3 0 R >>", b"<< /T (a\\) 12 0 R) /K 103 0 R >>"),
        (b"[ <3132> 12 0 R ]", b"[ <3132> 112 0 R ]"),
        (b"<< /F12 3 0 R >>", b"<< /F12 103 0 R >>"),
        (b"[ 1 2 0 R ]", b"[ 1 null ]"),  # 2 0 R is not in this part: null
    ],
)
def test_references_are_renumbered_and_strings_left_alone(text, expected):
    mapping = {(12, 0): 112, (3, 0): 103}
    assert remap(text, Renumber(mapping)) == expected


@pytest.fixture(scope="module")
def small_bundle():
    from sar.pdf import render_bundle

    records = [_record(i, 9) for i in range(3)]
    return render_bundle(front_matter=FRONT, records=records, header_text=HEADER, processes=0)


def test_the_merged_file_reads_cleanly(small_bundle):
    with pikepdf.open(io.BytesIO(small_bundle)) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Stream):
                obj.read_bytes()
        assert doc.get_warnings() == []
        assert doc.pdf_version == "1.7"
        assert doc.trailer.ID[0] == doc.trailer.ID[1]
    reader = pypdf.PdfReader(io.BytesIO(small_bundle), strict=True)
    assert len(reader.pages) >= 4


def test_every_page_draws_header_and_footer_as_pagination_artifacts(small_bundle):
    with pikepdf.open(io.BytesIO(small_bundle)) as doc:
        for page in doc.pages:
            operations = pikepdf.parse_content_stream(page)
            operators = [str(op) for _, op in operations]
            # The page's own drawing is wrapped in q/Q, so the stamps start clean.
            assert operators[0] == "q"
            marked = [operands for operands, op in operations if str(op) == "BDC"]
            header, footer = marked[-2:]
            assert header[0] == footer[0] == "/Artifact"
            assert (header[1].Type, header[1].Subtype) == ("/Pagination", "/Header")
            assert (footer[1].Type, footer[1].Subtype) == ("/Pagination", "/Footer")
            assert operators[-1] == "EMC"
            names = {str(k) for k in page.Resources.XObject}
            assert "/SarHeader" in names
            assert sum(name.startswith("/SarPiece") for name in names) == 12
