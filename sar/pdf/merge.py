"""Join the bundle's separately rendered parts into one tagged PDF, a part at a time.

The merge runs beside the renders (``MergeSession``, in a process of its own
while the bundle renders): each part is written to the output as soon as it is
finished, in whatever order the parts finish, and the page order is given only
at the end, so when the last record chunk is done only that chunk, the contents
list and the closing structures are left to write.

The parts are WeasyPrint documents rendered as PDF/UA-1 (the cover letter, the
contents parts, the record chunks), plus an untagged "stamp" document whose first
page holds the running header in its top margin and whose other pages each hold
one piece of "Page X of Y" ("Page ", " of ", a digit).

A merge with pikepdf's ``Pdf.pages.extend`` holds every object of every part in
memory (about 1.7 KB for each of the ~100 objects a page of redacted text has,
mostly structure elements), so its memory grows with the bundle. This merger
streams instead: pikepdf reads one part at a time, and each object is written
straight to the output file in qpdf's canonical syntax with its references
renumbered; the part is then closed. What is kept until the end is small and per
page: page object numbers, parent-tree entries and the top-level structure
elements. Then:

- the structure trees are joined under one ``/Document`` element, and each part's
  parent-tree keys (``/StructParents`` on pages, ``/StructParent`` on annotations)
  are shifted past the keys already used, so marked content still resolves;
- every page of the stamp document becomes a form XObject; each page draws the
  header form, then "Page X of Y" composed from the piece forms and centred
  (digits are tabular, so each piece's width is all that placing it needs),
  inside ``/Artifact`` marked-content sequences (pagination is not content);
- the outline (bookmarks) points at the page and height where each record starts;
- the catalogue keeps the cover letter's language, XMP metadata (title "Records
  copy <reference>", PDF/UA identification) and viewer preferences; the document
  information holds the title and producer, never an author.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

from .jobs import OutlineEntry, StampPieces
from .writer import PdfWriter, Renumber, dictionary, pdf_value, remap

__all__ = ["MergeSession", "OutlineEntry"]

# Wraps each page's own drawing so the stamp starts from a clean graphics state.
PAGE_OPEN = b"q\n"
HEADER_NAME = "/SarHeader"
HEADER_OPEN = b"/Artifact <</Type /Pagination /Subtype /Header>> BDC\n"
FOOTER_OPEN = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"
INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def _number_tree_items(node: pikepdf.Object) -> list[tuple[int, pikepdf.Object]]:
    """Every (key, value) of a number tree, in key order."""
    items: list[tuple[int, pikepdf.Object]] = []
    if "/Nums" in node:
        nums = node.Nums
        items += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", []):
        items += _number_tree_items(kid)
    return sorted(items, key=lambda item: item[0])


def _number_tree_nodes(node: pikepdf.Object) -> list[pikepdf.Object]:
    return [node] + [n for kid in node.get("/Kids", []) for n in _number_tree_nodes(kid)]


def _page_tree_nodes(node: pikepdf.Object) -> list[pikepdf.Object]:
    """The page tree's intermediate nodes (``/Pages``), not its pages: found by
    walking the tree rather than asking every object of the part its type."""
    if node.get("/Type") != Name.Pages:
        return []
    return [node] + [n for kid in node.get("/Kids", []) for n in _page_tree_nodes(kid)]


def _as_list(value: pikepdf.Object | None) -> list[pikepdf.Object]:
    if value is None:
        return []
    if isinstance(value, Array):
        return list(value)
    return [value]


def _document_element(struct_root: pikepdf.Object) -> pikepdf.Object:
    kids = _as_list(struct_root.get("/K"))
    if len(kids) == 1 and kids[0].get("/S") == Name.Document:
        return kids[0]
    raise ValueError("Expected a single /Document structure element")


@dataclass
class _Part:
    """What a merged part leaves for the end, in its own order: its pages' new
    object numbers, their overlay streams (drawn once the page numbers are known)
    and its top-level structure elements."""

    pages: list[int] = field(default_factory=list)
    overlays: list[int] = field(default_factory=list)
    kids: list[int | None] = field(default_factory=list)


class _Merger:
    def __init__(self, output: PdfWriter) -> None:
        self.out = output
        self.pages_root = output.reserve()
        self.struct_root = output.reserve()
        self.document = output.reserve()
        self.page_open = output.reserve()
        self.parts: dict[Hashable, _Part] = {}
        # Set by ``finish``, in the bundle's page order.
        self.page_numbers: list[int] = []  # new object number of each page
        self.overlays: list[int] = []  # the header and footer stream of each page
        self.document_kids: list[int | None] = []
        self.parent_tree: list[tuple[int, bytes]] = []
        self.next_key = 0
        self.page_width = 0.0
        self.page_height = 0.0
        self.catalog_extras: list[tuple[str, bytes]] = []
        self.producer: bytes | None = None
        self.stamp_xobjects: list[tuple[str, bytes]] = []
        # piece text -> (XObject name, left, width) in points
        self.pieces: dict[str, tuple[str, float, float]] = {}

    def _numbering(
        self, objects: list[tuple[tuple[int, int], pikepdf.Object]], skip: set[tuple[int, int]]
    ) -> Renumber:
        reserve = self.out.reserve
        return Renumber({objgen: reserve() for objgen, _ in objects if objgen not in skip})

    def _copy(self, number: int, obj: pikepdf.Object, renumber: Renumber) -> None:
        """Write ``obj`` as it is but for its references (a stream's data raw,
        still compressed)."""
        if isinstance(obj, pikepdf.Stream):
            items = [(k, pdf_value(v, renumber)) for k, v in obj.stream_dict.items()]
            self.out.write_stream(number, items, obj.read_raw_bytes())
        else:
            self.out.write(number, remap(obj.unparse(resolved=True), renumber))

    def add_part(self, part: pikepdf.Pdf, *, key: Hashable, first: bool) -> None:
        """Write a tagged part's pages and structure elements; ``key`` names it
        in ``finish``'s order, and the ``first`` part (the cover letter) gives the
        document its language, metadata and viewer preferences."""
        if not self.pieces:
            raise ValueError("The stamp pieces must be added before any part")
        if key in self.parts:
            raise ValueError(f"The part {key!r} was merged twice")
        placed = self.parts[key] = _Part()
        root = part.Root
        struct_root = root.StructTreeRoot
        document = _document_element(struct_root)
        skip = {root.objgen, struct_root.objgen, document.objgen}
        skip |= {node.objgen for node in _number_tree_nodes(struct_root.ParentTree)}
        skip |= {node.objgen for node in _page_tree_nodes(root.Pages)}
        info = part.trailer.get("/Info")
        if info is not None and info.is_indirect:
            skip.add(info.objgen)
        metadata = root.get("/Metadata")
        if metadata is not None and not first:
            skip.add(metadata.objgen)
        # Each object once, with its (number, generation): asking pikepdf for
        # either costs more than the rest of the loop.
        objects = [(obj.objgen, obj) for obj in part.objects]
        renumber = self._numbering(objects, skip)

        key_offset = self.next_key
        top_level = {kid.objgen for kid in _as_list(document.get("/K")) if kid.is_indirect}
        placed.kids = [renumber(kid.objgen) for kid in _as_list(document.get("/K"))]
        overlays = {}
        for page in part.pages:
            placed.pages.append(renumber(page.objgen))
            overlays[page.objgen] = self.out.reserve()
            placed.overlays.append(overlays[page.objgen])
        if not self.page_height and len(part.pages):
            self.page_width = float(part.pages[0].mediabox[2])
            self.page_height = float(part.pages[0].mediabox[3])

        for objgen, obj in objects:
            number = renumber(objgen)
            if number is None:
                continue
            if objgen in overlays:
                self._write_page(
                    number, obj, part, renumber, key_offset=key_offset, overlay=overlays[objgen]
                )
            elif isinstance(obj, Dictionary) and (objgen in top_level or "/StructParent" in obj):
                items = []
                for key, value in obj.items():
                    if key == "/P" and objgen in top_level:
                        items.append((key, b"%d 0 R" % self.document))
                    elif key == "/StructParent":
                        items.append((key, b"%d" % (int(value) + key_offset)))
                    else:
                        items.append((key, pdf_value(value, renumber)))
                self.out.write(number, dictionary(items))
            else:
                self._copy(number, obj, renumber)

        nums = _number_tree_items(struct_root.ParentTree)
        self.parent_tree += [(key + key_offset, pdf_value(value, renumber)) for key, value in nums]
        last_key = max((key for key, _ in nums), default=-1)
        self.next_key = max(
            key_offset + last_key + 1, key_offset + int(struct_root.get("/ParentTreeNextKey", 0))
        )
        if first:
            for key in ("/Lang", "/ViewerPreferences", "/MarkInfo"):
                if key in root:
                    self.catalog_extras.append((key, pdf_value(root[key], renumber)))
            if metadata is not None:
                self.catalog_extras.append(("/Metadata", b"%d 0 R" % renumber(metadata.objgen)))
            if info is not None and "/Producer" in info:
                self.producer = info.Producer.unparse()

    def _write_page(
        self,
        number: int,
        page: pikepdf.Object,
        part: pikepdf.Pdf,
        renumber: Renumber,
        *,
        key_offset: int,
        overlay: int,
    ) -> None:
        values = {key: page[key] for key in page}
        for key in INHERITABLE:
            if key not in values and key in part.Root.Pages:
                values[key] = part.Root.Pages[key]
        items = []
        for key, value in values.items():
            if key == "/Parent":
                items.append((key, b"%d 0 R" % self.pages_root))
            elif key == "/StructParents":
                items.append((key, b"%d" % (int(value) + key_offset)))
            elif key == "/Contents":
                contents = b" ".join(pdf_value(v, renumber) for v in _as_list(value))
                items.append((key, b"[ %d 0 R %s %d 0 R ]" % (self.page_open, contents, overlay)))
            elif key == "/Resources":
                items.append((key, self._resources(value, renumber)))
            else:
                items.append((key, pdf_value(value, renumber)))
        if "/Resources" not in values:
            items.append(("/Resources", self._resources(Dictionary(), renumber)))
        self.out.write(number, dictionary(items))

    def _resources(self, resources: pikepdf.Object, renumber: Renumber) -> bytes:
        """The page's resources plus the stamp's forms (written inline: the pages
        of a part share one resources dictionary)."""
        items = [(k, pdf_value(v, renumber)) for k, v in resources.items() if k != "/XObject"]
        xobjects = [(k, pdf_value(v, renumber)) for k, v in resources.get("/XObject", {}).items()]
        items.append(("/XObject", dictionary(xobjects + self.stamp_xobjects)))
        return dictionary(items)

    def add_stamp_pieces(self, stamps: pikepdf.Pdf, layout: StampPieces) -> None:
        """Write the header and footer pieces as form XObjects, one per page of the
        stamp document, for every page to draw."""
        skip = {stamps.Root.objgen}
        skip |= {node.objgen for node in _page_tree_nodes(stamps.Root.Pages)}
        for page in stamps.pages:
            skip.add(page.obj.objgen)
            skip |= {c.objgen for c in _as_list(page.obj.get("/Contents")) if c.is_indirect}
        if "/Metadata" in stamps.Root:
            skip.add(stamps.Root.Metadata.objgen)
        info = stamps.trailer.get("/Info")
        if info is not None and info.is_indirect:
            skip.add(info.objgen)
        objects = [(obj.objgen, obj) for obj in stamps.objects]
        renumber = self._numbering(objects, skip)
        for objgen, obj in objects:
            number = renumber(objgen)
            if number is not None:
                self._copy(number, obj, renumber)
        forms = {}
        for index, page in enumerate(stamps.pages):
            forms[index] = self.out.reserve()
            content = b"\n".join(c.read_bytes() for c in _as_list(page.obj.get("/Contents")))
            box = b" ".join(pdf_value(v, renumber) for v in page.mediabox)
            resources = page.obj.get("/Resources") or stamps.Root.Pages.get("/Resources")
            items = [
                ("/Type", b"/XObject"),
                ("/Subtype", b"/Form"),
                ("/BBox", b"[ " + box + b" ]"),
                (
                    "/Resources",
                    pdf_value(resources, renumber) if resources is not None else b"<< >>",
                ),
                ("/Filter", b"/FlateDecode"),
            ]
            self.out.write_stream(forms[index], items, zlib.compress(content))
        self.stamp_xobjects = [(HEADER_NAME, b"%d 0 R" % forms[layout.header_page])]
        for position, (text, (page, left, width)) in enumerate(layout.pieces.items()):
            name = f"/SarPiece{position}"
            self.stamp_xobjects.append((name, b"%d 0 R" % forms[page]))
            self.pieces[text] = (name, left, width)

    def _overlay(self, number: int, total: int) -> bytes:
        """Page ``number``'s header and centred "Page X of Y", as artifacts."""
        texts = ["Page ", *str(number), " of ", *str(total)]
        width = sum(self.pieces[text][2] for text in texts)
        x = (self.page_width - width) / 2
        footer = []
        for text in texts:
            name, left, advance = self.pieces[text]
            footer.append(b"q 1 0 0 1 %.3f 0 cm %s Do Q\n" % (x - left, name.encode()))
            x += advance
        return (
            b"Q\n"
            + HEADER_OPEN
            + b"q %s Do Q\nEMC\n" % HEADER_NAME.encode()
            + FOOTER_OPEN
            + b"".join(footer)
            + b"EMC\n"
        )

    def finish(
        self, *, order: Sequence[Hashable], outline: Iterable[OutlineEntry], title: str
    ) -> None:
        """Close the file: the parts' pages in ``order`` (every merged part, once)."""
        if len(set(order)) != len(order) or set(order) != self.parts.keys():
            raise ValueError("The page order must name every merged part once")
        parts = [self.parts[key] for key in order]
        self.page_numbers = [number for part in parts for number in part.pages]
        self.overlays = [number for part in parts for number in part.overlays]
        self.document_kids = [number for part in parts for number in part.kids]
        out = self.out
        out.write(self.page_open, b"<< /Length %d >>" % len(PAGE_OPEN), PAGE_OPEN)
        total = len(self.page_numbers)
        for index, number in enumerate(self.overlays):
            data = zlib.compress(self._overlay(index + 1, total))
            out.write(number, b"<< /Filter /FlateDecode /Length %d >>" % len(data), data)
        kids = b" ".join(b"%d 0 R" % n for n in self.page_numbers)
        out.write(
            self.pages_root,
            b"<< /Type /Pages /Kids [ %s ] /Count %d >>" % (kids, len(self.page_numbers)),
        )
        elements = b" ".join(b"%d 0 R" % n for n in self.document_kids if n is not None)
        out.write(
            self.document,
            b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] >>"
            % (self.struct_root, elements),
        )
        parent_tree = out.reserve()
        nums = b" ".join(b"%d %s" % (key, value) for key, value in sorted(self.parent_tree))
        out.write(parent_tree, b"<< /Nums [ %s ] >>" % nums)
        out.write(
            self.struct_root,
            b"<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R /ParentTreeNextKey %d >>"
            % (self.document, parent_tree, self.next_key),
        )
        outlines = self._outline(list(outline))
        catalog = out.reserve()
        items = [
            ("/Type", b"/Catalog"),
            ("/Pages", b"%d 0 R" % self.pages_root),
            ("/StructTreeRoot", b"%d 0 R" % self.struct_root),
            ("/Outlines", b"%d 0 R" % outlines),
            ("/PageMode", b"/UseOutlines"),
            *self.catalog_extras,
        ]
        out.write(catalog, dictionary(items))
        info = out.reserve()
        info_items = [("/Title", pikepdf.String(title).unparse())]
        if self.producer:
            info_items.append(("/Producer", self.producer))
        out.write(info, dictionary(info_items))
        file_id = hashlib.sha256(f"{title}:{len(self.page_numbers)}".encode()).digest()[:16]
        out.finish(root=catalog, info=info, file_id=file_id)

    def _outline(self, entries: list[OutlineEntry]) -> int:
        root = self.out.reserve()
        first, last, count = self._outline_items(entries, parent=root)
        body = b"<< /Type /Outlines /Count %d" % count
        if first is not None:
            body += b" /First %d 0 R /Last %d 0 R" % (first, last)
        self.out.write(root, body + b" >>")
        return root

    def _outline_items(
        self, entries: list[OutlineEntry], *, parent: int
    ) -> tuple[int | None, int | None, int]:
        """Write sibling items; return (first, last, visible count)."""
        numbers = [self.out.reserve() for _ in entries]
        visible = len(entries)
        for i, (entry, number) in enumerate(zip(entries, numbers, strict=True)):
            top = b"null"
            if entry.top_pt is not None:
                top = format(max(0.0, self.page_height - entry.top_pt), ".2f").encode()
            page = self.page_numbers[entry.page]
            body = b"<< /Title %s /Parent %d 0 R /Dest [ %d 0 R /XYZ 0 %s null ]" % (
                pikepdf.String(entry.title).unparse(),
                parent,
                page,
                top,
            )
            if i > 0:
                body += b" /Prev %d 0 R" % numbers[i - 1]
            if i + 1 < len(numbers):
                body += b" /Next %d 0 R" % numbers[i + 1]
            if entry.children:
                first, last, _ = self._outline_items(list(entry.children), parent=number)
                # Closed: a long list of records should not unfold on opening.
                body += b" /First %d 0 R /Last %d 0 R /Count -%d" % (
                    first,
                    last,
                    len(entry.children),
                )
            self.out.write(number, body + b" >>")
        if not numbers:
            return None, None, 0
        return numbers[0], numbers[-1], visible


class MergeSession:
    """One bundle's merge into ``out_path``: the stamp pieces and the parts in
    any order (a part that comes before the stamp waits for it: every page
    draws the stamp's forms), then ``finish`` with the page order. Each file is
    read once, then deleted; one part is held in memory at a time."""

    def __init__(self, out_path: str) -> None:
        self.file = open(out_path, "wb")  # noqa: SIM115 - closed by finish or close
        self.merger = _Merger(PdfWriter(self.file))
        self.stamped = False
        self.waiting: list[tuple[Hashable, str, bool]] = []

    def add_stamp(self, stamp: StampPieces) -> None:
        with pikepdf.open(stamp.path) as stamps:
            self.merger.add_stamp_pieces(stamps, stamp)
        os.remove(stamp.path)
        self.stamped = True
        waiting, self.waiting = self.waiting, []
        for key, path, first in waiting:
            self.add_part(key, path, first=first)

    def add_part(self, key: Hashable, path: str, *, first: bool = False) -> None:
        if not self.stamped:
            self.waiting.append((key, path, first))
            return
        with pikepdf.open(path) as part:
            self.merger.add_part(part, key=key, first=first)
        # Its pages are in the output now: the unencrypted part need not wait
        # for the end of the render to be deleted.
        os.remove(path)

    def finish(
        self, *, order: Sequence[Hashable], outline: Iterable[OutlineEntry], title: str
    ) -> None:
        try:
            self.merger.finish(order=order, outline=outline, title=title)
        finally:
            self.file.close()

    def close(self) -> None:
        self.file.close()
