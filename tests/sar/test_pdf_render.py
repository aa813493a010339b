"""The bundle renderer: chunks rendered by worker processes, merged into one PDF with
contents, bookmarks, page numbers and the running header right across chunks, and
no redacted text anywhere in it."""

import dataclasses
import datetime as dt
import io
import multiprocessing
import re
from pathlib import Path

import pikepdf
import pypdf
import pytest
from pdfua import Severity, validate

from sar.pdf import (
    FrontMatter,
    RecordEntry,
    RecordHTML,
    ServiceDetails,
    render_bundle,
    segments_to_html,
)
from sar.pdf.render import ERROR_DAEMON, BundleRenderError, RenderStats
from sar.redaction import KnownPerson, apply_redactions, suggest
from tests.sar.pdf_support import hostile_html, listener, pdftotext_pages, pypdf_text

REFERENCE = "SAR-2025-00042"
HEADER = f"Confidential: prepared for Jane Parent, {REFERENCE}, 1 March 2025"
FRONT = FrontMatter(
    reference=REFERENCE,
    requester_name="Jane Parent",
    requester_address_lines=("1 Example Road", "Oxford"),
    letter_date=dt.date(2025, 3, 1),
    subject_description="you and your son",
    service=ServiceDetails(
        name="SENDIASS Oxfordshire",
        address_lines=("County Hall", "Oxford"),
        phone="01865 810516",
        email="sendiass@example.org",
        website="www.example.org/sendiass",
    ),
)
THIRD_PARTY = KnownPerson("Zebedee Quockerwodger", aliases=("Zeb",), role="neighbour")
# Everything the records say that must not reach the PDF.
SECRETS = [
    "Zebedee",
    "Quockerwodger",
    "Zeb",
    "zq.private@example.net",
    "07911 123456",
    "943 476 5919",
    "OX4 9ZZ",
    "AB 12 34 56 C",
    "B801200005001",
    "12/03/2015",
    "SCRIPT-RAN",
]
PARAGRAPH = (
    "We talked through the draft EHC plan and the school's proposed provision. "
    "Mum said the transport arrangements were still not agreed and she would "
    "write to the SEN team again. I explained the timescales for the annual review "
    "and what an independent parental supporter can do at the meeting."
)
RECORD_COUNT = 10
CHUNK_SIZE = 4  # chunks of 4, 4, 2; the last two halved for two processes


def _record(index: int, port: int) -> RecordHTML:
    text = (
        f"Record {index}. Zebedee Quockerwodger (born 12/03/2015) called; Zeb's email is "
        "zq.private@example.net and phone 07911 123456. NHS 943 476 5919, UPN "
        "B801200005001, NI AB 12 34 56 C, postcode OX4 9ZZ.\n\n" + "\n\n".join([PARAGRAPH] * 3)
    )
    body = segments_to_html(apply_redactions(text, suggest(text, people=[THIRD_PARTY])))
    if index == 5:
        body += hostile_html(port)
    return RecordHTML(
        anchor=f"record-{index}",
        title=f"Phone call number {index}",
        date=dt.date(2024, 1, 1) + dt.timedelta(days=index),
        kind="Phone call",
        author="Caseworker",
        body_html=body,
    )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    progress = []
    stats = RenderStats()
    with listener() as (port, requests):
        records = [_record(i, port) for i in range(RECORD_COUNT)]
        pdf = render_bundle(
            front_matter=FRONT,
            records=records,
            header_text=HEADER,
            chunk_size=CHUNK_SIZE,
            processes=2,
            on_progress=lambda done, total: progress.append((done, total)),
            stats=stats,
        )
    tmp = tmp_path_factory.mktemp("bundle")
    path = tmp / "bundle.pdf"
    path.write_bytes(pdf)
    return {
        "pdf": pdf,
        "path": path,
        "records": records,
        "requests": requests,
        "progress": progress,
        "stats": stats,
        "pages": pdftotext_pages(pdf, tmp),
        "reader": pypdf.PdfReader(io.BytesIO(pdf)),
    }


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def test_bundle_is_rendered_in_chunks_and_has_every_page(bundle):
    reader, stats = bundle["reader"], bundle["stats"]
    # 10 records in chunks of 4 by 2 processes: 4, then the last round (4 and 2)
    # halved so both processes finish together: 2 + 2 and 1 + 1.
    assert stats.chunks == 5
    assert len(reader.pages) == stats.pages == len(bundle["pages"])
    assert stats.front_matter_pages >= 3  # letter, codes, contents
    assert stats.pages > stats.front_matter_pages + 3  # at least a page per chunk


def test_every_page_has_the_header_and_page_x_of_y(bundle):
    pages = bundle["pages"]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert HEADER in " ".join(text.split())


def test_one_bookmark_per_record_on_the_page_where_it_starts(bundle):
    reader, pages, records = bundle["reader"], bundle["pages"], bundle["records"]
    items = list(_flatten(reader.outline))
    titles = [item.title for item in items]
    assert titles[:4] == ["Letter", "What the black boxes mean", "Contents", "Your records"]
    record_items = items[4:]
    assert len(record_items) == len(records)
    for item, record in zip(record_items, records, strict=True):
        page = reader.get_destination_page_number(item)
        assert record.title in item.title
        assert record.title in pages[page]
        # It starts there: not on the page before (unless that is the contents).
        if page - 1 >= bundle["stats"].front_matter_pages:
            assert record.title not in pages[page - 1]


def test_contents_lists_each_record_with_its_page(bundle):
    pages, records = bundle["pages"], bundle["records"]
    contents = "\n".join(page for page in pages if "Contents" in page)
    for record in records:
        # The page number is in its own column, so it is read after the entry.
        match = re.search(re.escape(record.title) + r"\b[^\n]*\s+^(\d+)$", contents, re.M)
        assert match, record.title
        assert record.title in pages[int(match.group(1)) - 1]


def test_progress_is_reported_by_records(bundle):
    progress = bundle["progress"]
    assert progress[0] == (0, RECORD_COUNT)
    assert progress[-1] == (RECORD_COUNT, RECORD_COUNT)
    done = [d for d, _ in progress]
    assert done == sorted(done)
    assert len(set(done)) == 1 + 5  # nothing, then once per chunk


def test_cover_letter_gives_the_article_15_information(bundle):
    letter = " ".join(" ".join(bundle["pages"][:3]).split())
    for words in (
        "SENDIASS Oxfordshire",
        "01865 810516",
        "Our reference: SAR-2025-00042",
        "Dear Jane Parent",
        "Article 15",
        "Why we hold this information",
        "What kinds of information we hold",
        "Who we share it with",
        "How long we keep it",
        "Where the information came from",
        "We do not make any decisions about you or your child by automated means",
        "(rectification)",
        "(erasure)",
        "(restriction)",
        "(objection)",
        "ico.org.uk",
        "0303 123 1113",
        "What the black boxes mean",
        "Legal professional privilege (DPA 2018 Sch 2 Pt 4 para 19)",
    ):
        assert words in letter, words


def test_redacted_text_is_nowhere_in_the_pdf(bundle):
    pdf, reader = bundle["pdf"], bundle["reader"]
    extracted = "\n".join(bundle["pages"]) + "\n" + pypdf_text(pdf)
    outline = " ".join(item.title for item in _flatten(reader.outline))
    metadata = repr(reader.metadata)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        xmp = str(doc.open_metadata())
        streams = b"".join(
            obj.read_bytes() for obj in doc.objects if isinstance(obj, pikepdf.Stream)
        )
        assert "/EmbeddedFiles" not in repr(doc.Root.get("/Names", {}))
    for secret in SECRETS:
        assert secret not in extracted, secret
        assert secret not in outline, secret
        assert secret not in metadata, secret
        assert secret not in xmp, secret
        assert secret.encode() not in streams, secret
    assert extracted.count("TP") >= RECORD_COUNT * 9  # the boxes are there instead
    assert "Hostile record." in extracted  # the hostile record's text is printed...
    assert "root:" not in extracted  # ...but nothing it pointed at


def test_no_request_left_the_renderer(bundle):
    assert bundle["requests"] == []


def test_metadata_holds_the_reference_and_no_names(bundle):
    reader = bundle["reader"]
    assert reader.metadata.title == f"Records copy {REFERENCE}"
    assert reader.metadata.author is None
    with pikepdf.open(bundle["path"]) as doc:
        xmp = str(doc.open_metadata())
        assert f"Records copy {REFERENCE}" in xmp
        assert "Jane" not in xmp
        assert "Jane" not in repr(dict(doc.docinfo))
        assert doc.Root.Lang == "en-GB"
        assert doc.Root.MarkInfo.Marked


def test_merged_structure_tree_keeps_every_record_and_page(bundle):
    with pikepdf.open(bundle["path"]) as doc:
        root = doc.Root.StructTreeRoot
        [document] = list(root.K) if isinstance(root.K, pikepdf.Array) else [root.K]
        assert document.S == "/Document"
        articles = list(_elements(document, "/Art"))
        assert len(articles) == RECORD_COUNT
        nums = root.ParentTree.Nums
        keys = {int(nums[i]) for i in range(0, len(nums), 2)}
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for page in doc.pages:
            assert int(page.obj.StructParents) in keys
            # Every marked-content id on the page resolves to an element of this page.
            mcids = [
                int(operands[1].MCID)
                for operands, operator in pikepdf.parse_content_stream(page)
                if operator == pikepdf.Operator("BDC")
                and isinstance(operands[1], pikepdf.Dictionary)
                and "/MCID" in operands[1]
            ]
            assert mcids
            elements = tree[int(page.obj.StructParents)]
            for mcid in mcids:
                assert elements[mcid].Pg.objgen == page.obj.objgen
        assert int(root.ParentTreeNextKey) > max(keys)
        # pdfua's empty-heading rule (UA-14-001) crashes on pikepdf arrays, so check it
        # here: every heading reaches marked content.
        headings = [h for tag in ("/H1", "/H2") for h in _elements(document, tag)]
        assert len(headings) > RECORD_COUNT
        assert all(_marks_content(heading) for heading in headings)


def _elements(element, tag):
    if element.get("/S") == tag:
        yield element
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR":
            yield from _elements(kid, tag)


def _marks_content(element):
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int) or (
            isinstance(kid, pikepdf.Dictionary)
            and (kid.get("/Type") == "/MCR" or _marks_content(kid))
        ):
            return True
    return False


def test_the_pdfua_checker_finds_no_errors(bundle):
    report = validate(str(bundle["path"]))
    errors = [f for f in report.findings if f.severity == Severity.ERROR]
    assert errors == []
    assert report.findings == ()


def test_rendering_in_this_process_gives_the_same_layout(tmp_path):
    records = [_record(i, 9) for i in range(2)]
    pdf = render_bundle(front_matter=FRONT, records=records, header_text=HEADER, processes=0)
    pages = pdftotext_pages(pdf, tmp_path)
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert records[1].title in pages[-1]


def test_a_daemon_process_gets_a_clear_error(monkeypatch):
    class Daemon:
        daemon = True

    monkeypatch.setattr(multiprocessing, "current_process", lambda: Daemon())
    with pytest.raises(BundleRenderError, match="daemonize_workers"):
        render_bundle(front_matter=FRONT, records=[], header_text=HEADER)
    assert "daemonize_workers" in ERROR_DAEMON


def test_records_need_distinct_anchors():
    record = _record(1, 9)
    with pytest.raises(BundleRenderError, match="share the anchor"):
        render_bundle(front_matter=FRONT, records=[record, record], header_text=HEADER)


def test_anchors_must_be_simple_ids():
    with pytest.raises(ValueError, match="simple HTML id"):
        RecordHTML(anchor='x" onload="', title="t", date=dt.date(2024, 1, 1), kind="k")


def test_templates_are_where_the_renderer_expects_them():
    templates = Path(__file__).resolve().parents[2] / "sar" / "templates" / "sar" / "pdf"
    for name in ("base.html", "base.css", "cover_letter.html", "redaction_codes.html",
                 "contents.html", "record.html", "records.html", "stamp.html"):  # fmt: skip
        assert (templates / name).is_file(), name


def test_a_bundle_without_records_is_the_letter_alone(tmp_path):
    pdf = render_bundle(front_matter=FRONT, records=[], header_text=HEADER, processes=0)
    pages = pdftotext_pages(pdf, tmp_path)
    assert "Dear Jane Parent" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    titles = [item.title for item in _flatten(pypdf.PdfReader(io.BytesIO(pdf)).outline)]
    assert titles == ["Letter", "What the black boxes mean"]


def test_chunks_close_early_when_their_html_is_long(monkeypatch):
    from sar.pdf import render

    monkeypatch.setattr(render, "CHUNK_HTML_BUDGET", 1000)
    records = [
        RecordHTML(anchor=f"r{i}", title="t", date=dt.date(2024, 1, 1), kind="k", body_html=body)
        for i, body in enumerate(["x" * 600, "x" * 600, "x" * 10, "x" * 10, "x" * 10])
    ]
    chunks = render._record_chunks(records, 3)
    assert [len(chunk) for chunk in chunks] == [2, 3]


def test_the_last_round_of_chunks_is_halved_so_the_processes_finish_together():
    from sar.pdf import render

    records = [_record(n, 9) for n in range(1, 12)]
    chunks = render._record_chunks(records, 3, processes=2)
    assert [len(chunk) for chunk in chunks] == [3, 3, 2, 1, 1, 1]
    assert [r for chunk in chunks for r in chunk] == records
    # Too few chunks to share out: left alone.
    assert [len(c) for c in render._record_chunks(records[:5], 3, processes=2)] == [3, 2]


def test_the_header_cannot_break_out_of_its_css_string():
    from sar.pdf.html import css_string, stamp_html

    hostile = 'O\'Neil "x" \\ </style><script>alert(1)</script>'
    escaped = css_string(hostile)
    assert not set("\"\\<>'") & set(escaped.replace("\\0000", ""))
    html = stamp_html(reference=REFERENCE, header_text=hostile)
    assert "<script>" not in html
    assert html.count("</style>") == 1


def test_a_failing_job_becomes_a_render_error_with_its_reason(monkeypatch):
    from sar.pdf import render

    def broken(job):
        raise RuntimeError("the layout exploded")

    monkeypatch.setattr(render, "run_document", broken)
    with pytest.raises(BundleRenderError, match="the layout exploded"):
        render_bundle(front_matter=FRONT, records=[], header_text=HEADER, processes=0)


def test_contents_in_several_parts_number_every_record_right(monkeypatch, tmp_path):
    """Each contents part is numbered as soon as its records' chunks are done,
    while later chunks still render: every entry still points at its page."""
    from sar.pdf import render

    monkeypatch.setattr(render, "CONTENTS_PER_PART", 3)
    with listener() as (port, _requests):
        records = [_record(i, port) for i in range(8)]
    stats = RenderStats()
    pdf = render_bundle(
        front_matter=FRONT,
        records=records,
        header_text=HEADER,
        chunk_size=2,
        processes=2,
        stats=stats,
    )
    _contents_numbers_are_right(pdf, stats, records, tmp_path)
    contents = "\n".join(pdftotext_pages(pdf, tmp_path)[: stats.front_matter_pages])
    # Numbered on from one part to the next, not from 1 again.
    numbers = re.findall(r"^(\d+)\. Phone call number", contents, re.M)
    assert numbers == [str(n) for n in range(1, len(records) + 1)]


def _contents_numbers_are_right(pdf: bytes, stats: RenderStats, records, tmp_path) -> None:
    pages = pdftotext_pages(pdf, tmp_path)
    assert len(pages) == stats.pages
    contents = "\n".join(pages[: stats.front_matter_pages])
    for record in records:
        match = re.search(re.escape(record.title) + r"\b[^\n]*\s+^(\d+)$", contents, re.M)
        assert match, record.title
        assert record.title in pages[int(match.group(1)) - 1]


def test_contents_that_come_out_longer_than_measured_are_numbered_again(monkeypatch, tmp_path):
    """The page column has a fixed width, so numbers cannot change a part's
    length; if they ever do, the parts are numbered again with the lengths found."""
    from sar.pdf import render

    monkeypatch.setattr(render, "CONTENTS_PER_PART", 3)
    done = render._Schedule.done

    def measured_one_page_short(self, key, result):
        if key[0] == "measure":
            result = dataclasses.replace(result, page_count=result.page_count - 1)
        done(self, key, result)

    monkeypatch.setattr(render._Schedule, "done", measured_one_page_short)
    with listener() as (port, _requests):
        records = [_record(i, port) for i in range(8)]
    stats = RenderStats()
    pdf = render_bundle(
        front_matter=FRONT, records=records, header_text=HEADER, chunk_size=2, processes=2,
        stats=stats,
    )  # fmt: skip

    _contents_numbers_are_right(pdf, stats, records, tmp_path)


def _entry(record: RecordHTML) -> RecordEntry:
    return RecordEntry(
        anchor=record.anchor,
        title=record.title,
        date=record.date,
        kind=record.kind,
        size=record.size,
    )


def test_entries_are_loaded_a_chunk_at_a_time_and_print_like_whole_records():
    records = [_record(n, 9) for n in range(1, 6)]
    by_anchor = {record.anchor: record for record in records}
    asked = []

    def load(entries):
        asked.append([entry.anchor for entry in entries])
        return [by_anchor[entry.anchor] for entry in entries]

    pdf = render_bundle(
        front_matter=FRONT,
        records=[_entry(record) for record in records],
        load_chunk=load,
        header_text=HEADER,
        chunk_size=2,
        processes=0,
    )
    assert asked == [["record-1", "record-2"], ["record-3", "record-4"], ["record-5"]]
    whole = render_bundle(
        front_matter=FRONT, records=records, header_text=HEADER, chunk_size=2, processes=0
    )
    assert pypdf_text(pdf) == pypdf_text(whole)


def test_a_chunk_loaded_with_other_records_is_refused():
    records = [_record(n, 9) for n in range(1, 3)]
    with pytest.raises(BundleRenderError, match="not the records asked for"):
        render_bundle(
            front_matter=FRONT,
            records=[_entry(record) for record in records],
            load_chunk=lambda entries: list(reversed(records)),
            header_text=HEADER,
            processes=0,
        )


def test_entries_without_a_loader_are_refused():
    with pytest.raises(ValueError, match="need load_chunk"):
        render_bundle(
            front_matter=FRONT, records=[_entry(_record(1, 9))], header_text=HEADER, processes=0
        )


def test_parts_merged_in_the_order_they_finish_keep_the_bundles_page_order(monkeypatch, tmp_path):
    """The merge takes each chunk as soon as it is rendered, whatever the order
    they finish in; the pages still come out in the bundle's order."""
    from sar.pdf import render

    held = []
    add_part = render._MergeHere.add_part
    finish = render._MergeHere.finish

    def hold_chunks(self, key, path, *, first=False):
        if key[0] == "chunk":
            held.append((key, path))
        else:
            add_part(self, key, path, first=first)

    def last_chunk_first(self, **kwargs):
        for key, path in reversed(held):
            add_part(self, key, path)
        finish(self, **kwargs)

    monkeypatch.setattr(render._MergeHere, "add_part", hold_chunks)
    monkeypatch.setattr(render._MergeHere, "finish", last_chunk_first)
    with listener() as (port, _requests):
        records = [_record(i, port) for i in range(6)]
    stats = RenderStats()
    pdf = render_bundle(
        front_matter=FRONT, records=records, header_text=HEADER, chunk_size=2, processes=0,
        stats=stats,
    )  # fmt: skip

    assert sorted(key for key, _ in held) == [("chunk", 0), ("chunk", 1), ("chunk", 2)]
    pages = pdftotext_pages(pdf, tmp_path)
    starts = [next(n for n, page in enumerate(pages) if r.title in page) for r in records]
    assert starts == sorted(starts)
    assert "Dear Jane Parent" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    _contents_numbers_are_right(pdf, stats, records, tmp_path)
    titles = [item.title for item in _flatten(pypdf.PdfReader(io.BytesIO(pdf)).outline)]
    assert titles[4:] == [f"{r.date:%-d %B %Y}: {r.title}" for r in records]


def test_a_merge_that_fails_stops_the_render_with_its_reason_and_leaves_no_file(
    monkeypatch, tmp_path
):
    from sar.pdf import render
    from sar.pdf.render import render_bundle_file

    add_part = render._MergeProcess.add_part

    def lose_the_second_chunk(self, key, path, *, first=False):
        if key == ("chunk", 1):
            path += ".gone"
        add_part(self, key, path, first=first)

    monkeypatch.setattr(render._MergeProcess, "add_part", lose_the_second_chunk)
    out = tmp_path / "bundle.pdf"
    with pytest.raises(BundleRenderError, match=r"It can be tried again.*|\.gone") as raised:
        render_bundle_file(
            out, front_matter=FRONT, records=[_record(i, 9) for i in range(6)],
            header_text=HEADER, chunk_size=2, processes=2,
        )  # fmt: skip
    assert "chunk-00001.pdf.gone" in str(raised.value)
    assert not out.exists()


def test_a_merge_process_that_dies_fails_the_render_cleanly(monkeypatch, tmp_path):
    from sar.pdf import render
    from sar.pdf.render import ERROR_WORKER_DIED, render_bundle_file

    add_part = render._MergeProcess.add_part

    def killed_after_the_first_chunk(self, key, path, *, first=False):
        add_part(self, key, path, first=first)
        if key == ("chunk", 0):
            self.process.kill()
            self.process.join()

    monkeypatch.setattr(render._MergeProcess, "add_part", killed_after_the_first_chunk)
    out = tmp_path / "bundle.pdf"
    with pytest.raises(BundleRenderError) as raised:
        render_bundle_file(
            out, front_matter=FRONT, records=[_record(i, 9) for i in range(6)],
            header_text=HEADER, chunk_size=2, processes=2,
        )  # fmt: skip
    assert str(raised.value) == ERROR_WORKER_DIED
    assert not out.exists()


def test_contents_measured_without_their_numbers_break_across_pages_as_numbered(tmp_path):
    """The contents are measured with the page column empty (cheaper to lay
    out), then numbered: both must put the same entries on the same pages, or
    every page number after the contents would be wrong."""
    from sar.pdf.html import contents_html
    from sar.pdf.jobs import DocumentJob
    from sar.pdf.worker import render_job

    entries = [
        RecordEntry(
            anchor=f"r{i}",
            # From one line to three: wrapped entries must break the same way.
            title=" ".join(["Email about the annual review and transport"] * (1 + i % 5)),
            date=dt.date(2024, 1, 1) + dt.timedelta(days=i),
            kind="Email",
            size=1,
        )
        for i in range(120)
    ]
    pages = {}
    for name, numbers in (("blank", [""] * 120), ("numbered", [str(990 + i) for i in range(120)])):
        html = contents_html(
            reference=REFERENCE, records=entries, pages=numbers, start=1, first_part=True
        )
        out = tmp_path / f"{name}.pdf"
        render_job(DocumentJob(html, str(out), ()))
        pages[name] = [
            re.findall(r"^(\d+)\. Email", page, re.M)
            for page in pdftotext_pages(out.read_bytes(), tmp_path)
        ]
    assert len(pages["blank"]) > 3
    assert pages["blank"] == pages["numbered"]
    assert "1099" not in "".join(pdftotext_pages((tmp_path / "blank.pdf").read_bytes(), tmp_path))


def test_the_render_processes_page_references_follow_pages_as_they_are_added():
    """The render processes build pydyf's list of page references once per page
    count, not on every call: it must still name every page added since."""
    import pydyf

    import sar.pdf.worker  # noqa: F401 - what the render processes load

    pdf = pydyf.PDF()
    seen = []
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        seen.append(pdf.page_references)
        assert pdf.page_references is seen[-1]  # built once for this many pages
    assert [len(references) for references in seen] == [1, 2, 3]
    assert seen[-1] == tuple(b"%d 0 R" % number for number in pdf.pages["Kids"][::3])
