"""Nothing held back reaches the bundle, through the whole job (the task, the
real multiprocess engine, encryption at rest): the demo case file with every
suggestion accepted, a record withheld and words chosen by hand. The PDF's
text (pdftotext and pypdf), metadata, bookmarks and attachments hold none of
the redacted words but do hold the reason codes and the reference. A record
naming resources (a local web server, file://) makes nothing fetch them."""

import io
import re

import pikepdf
import pypdf
import pytest

from sar.demo import DEMO_PARENT_EMAIL, load_demo_case_file
from sar.models import (
    Child,
    Record,
    RecordKind,
    Redaction,
    RedactionDecision,
    RedactionSource,
    ServiceCase,
)
from sar.redaction import ReasonCode, SuggestionKind, suggest
from sar.redactions import record_withhold, redaction_add_text
from tests.sar.bundle_support import (  # noqa: F401 - the autouse fixture
    _render_in_process,
    accept_every_suggestion,
    in_review,
    make_record,
    pdf_of,
    prepare,
)
from tests.sar.pdf_support import hostile_html, listener, pdftotext_pages, pypdf_text

pytestmark = pytest.mark.django_db

CONFIDENTIAL_WORDS = "hides in the toilets"
HAND_CHOSEN = "brought forward"


def collapse(text: str) -> str:
    return " ".join(text.split()).lower()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def outline_titles(reader: pypdf.PdfReader) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(reader.outline))


def everything_readable(pdf: bytes, tmp_path) -> dict[str, str]:
    """Every place text can be read from the PDF, by where it is."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        info = {str(k): str(v) for k, v in document.docinfo.items()}
        with document.open_metadata() as xmp:
            xmp_text = str(xmp)
        attachments = dict(document.attachments)
        embedded = [
            obj
            for obj in document.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/EmbeddedFile"
        ]
    return {
        "pdftotext": "\n".join(pdftotext_pages(pdf, tmp_path)),
        "pypdf": pypdf_text(pdf),
        "metadata": " ".join(info.values()) + " " + xmp_text,
        "outline": "\n".join(outline_titles(reader)),
        "attachments": " ".join(attachments) + f" {len(embedded)} embedded",
    }


@pytest.fixture
def demo_case(submit, caseworker):
    load_demo_case_file()
    demo_parent = ServiceCase.objects.get(service_user__email=DEMO_PARENT_EMAIL).service_user
    child = Child.objects.get(parent=demo_parent)
    case = submit(demo_parent, about_requester=False, children=[child]).cases.get()
    records = Record.objects.filter(case__service_user=demo_parent)
    return in_review(case, caseworker, list(records))


def test_the_demo_case_file_bundle_holds_none_of_the_redacted_words(
    settings, demo_case, caseworker, tmp_path, django_capture_on_commit_callbacks
):
    case = demo_case
    # Words chosen by hand, in every record that has them.
    for record in Record.objects.filter(case__service_user=case.request.requester):
        if HAND_CHOSEN in record.body:
            redaction_add_text(
                subject_case=case,
                record=record,
                field="body",
                text=HAND_CHOSEN,
                reason_code=ReasonCode.LEGAL_PRIVILEGE,
                actor=caseworker,
            )
    withheld = Record.objects.filter(kind=RecordKind.MEETING_NOTE).order_by("date").first()
    record_withhold(
        subject_case=case, record=withheld, reason_code=ReasonCode.SERIOUS_HARM, actor=caseworker
    )
    assert accept_every_suggestion(case, caseworker) > 20
    # The real engine: worker processes forked from the fork server, in chunks.
    settings.BUNDLE_RENDER_PROCESSES = 2
    settings.BUNDLE_CHUNK_SIZE = 8

    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)

    assert bundle.status == "ready", bundle.error
    pdf = pdf_of(bundle)
    places = everything_readable(pdf, tmp_path)
    held_back = {
        r.excerpt
        for r in Redaction.objects.filter(
            subject_case=case, decision=RedactionDecision.ACCEPTED
        ).exclude(source=RedactionSource.WHOLE_RECORD)
    }
    assert HAND_CHOSEN in held_back
    # A withheld record leaves no trace but its count; nor does one the child
    # shared in confidence (out of scope: nobody decided to include it).
    # (Meeting notes share their wording; the postcode is this one's own.)
    [postcode] = [
        withheld.body[found.start : found.end]
        for found in suggest(withheld.body, people=())
        if found.kind == SuggestionKind.POSTCODE
    ]
    held_back.add(postcode)
    held_back.add(CONFIDENTIAL_WORDS)
    for where, text in places.items():
        flat, tight = collapse(text), squeeze(text)
        for words in held_back:
            assert collapse(words) not in flat, f"{words!r} is in the PDF's {where}"
            if len(squeeze(words)) >= 8:
                assert squeeze(words) not in tight, f"{words!r} is in the PDF's {where}"

    text = collapse(places["pdftotext"])
    reference = case.request.reference
    assert reference.lower() in text
    assert reference in places["metadata"]
    for code in ("TP", "SH", "LPP"):
        assert f" {code.lower()} " in f" {text} "
    assert places["pdftotext"].count("TP") > 20  # a box for each redaction
    assert "we have also withheld 1 record in full" in text
    assert "0 embedded" in places["attachments"]
    # What is kept is there: the child's first name (the subject) and the titles.
    assert case.child.full_name.split()[0].lower() in text
    assert bundle.withheld_count == 1


def test_a_record_naming_resources_fetches_nothing_through_the_task(
    settings, submit, parent, caseworker, tmp_path, django_capture_on_commit_callbacks
):
    settings.BUNDLE_RENDER_PROCESSES = 1
    with listener() as (port, requests):
        record = make_record(
            parent,
            caseworker,
            kind=RecordKind.EMAIL,
            body=hostile_html(port) + '\n<img src="file:///etc/passwd">',
            sender=f'<img src="http://127.0.0.1:{port}/sender.png">',
            recipients=f"<link rel=stylesheet href=http://127.0.0.1:{port}/to.css>",
        )
        case = in_review(submit().cases.get(), caseworker, [record])
        accept_every_suggestion(case, caseworker)

        bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)

    assert bundle.status == "ready", bundle.error
    assert requests == []
    text = collapse("\n".join(pdftotext_pages(pdf_of(bundle), tmp_path)))
    # The record's markup is printed as the words it is, never obeyed.
    assert f'<img src="http://127.0.0.1:{port}/img.png"' in text
    assert "root:x:0:0" not in text
