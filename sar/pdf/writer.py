"""Writing a PDF file object by object, for the streaming merge.

Objects arrive as bytes in PDF syntax (qpdf's canonical ``unparse``) with their
references renumbered into the output's numbering; small objects are packed into
compressed object streams, streams are written as they come, and a compressed
cross-reference stream closes the file. Nothing but the cross-reference fields
(a few bytes per object) is kept.
"""

from __future__ import annotations

import re
import struct
import zlib
from array import array
from collections.abc import Iterable
from decimal import Decimal
from typing import BinaryIO

import pikepdf
from pikepdf import Name

__all__ = ["PdfWriter", "Renumber", "dictionary", "pdf_value", "remap"]

# A literal or hex string (skipped: a string may hold "1 0 R"), or a reference.
# qpdf's unparse escapes parentheses inside literal strings, so the string pattern
# needs no nesting.
_TOKENS = re.compile(
    rb"\((?:\\.|[^\\()])*\)"
    rb"|<(?!<)[0-9A-Fa-f\s]*>"
    rb"|(?<![\w.#/+-])(\d+ \d+) R(?![\w#])",
    re.S,
)


class Renumber:
    """A part's objects' new numbers: ``renumber((number, generation))`` is the
    new number, or None for an object not carried over. It also keeps each
    reference's new text, keyed by the old one's, as ``remap`` needs it for
    every reference of every object (a dictionary lookup, not parsing and
    formatting numbers)."""

    __slots__ = ("numbers", "references")

    def __init__(self, numbers: dict[tuple[int, int], int]) -> None:
        self.numbers = numbers
        self.references = {b"%d %d" % old: b"%d 0 R" % new for old, new in numbers.items()}

    def __call__(self, objgen: tuple[int, int]) -> int | None:
        return self.numbers.get(objgen)


def remap(text: bytes, renumber: Renumber) -> bytes:
    references = renumber.references

    def substitute(match: re.Match[bytes]) -> bytes:
        reference = match.group(1)
        if reference is None:  # a string
            return match.group(0)
        return references.get(reference, b"null")

    return _TOKENS.sub(substitute, text)


def pdf_value(value: object, renumber: Renumber) -> bytes:
    """A value as PDF syntax, references renumbered (indirect objects by reference)."""
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, Decimal | float):
        return format(value, "f").encode()
    if value is None:
        return b"null"
    if isinstance(value, pikepdf.Object):
        return remap(value.unparse(), renumber)
    raise TypeError(f"Cannot write {type(value).__name__} as PDF")


def dictionary(items: Iterable[tuple[str, bytes]]) -> bytes:
    return b"<< " + b" ".join(Name(key).unparse() + b" " + text for key, text in items) + b" >>"


class PdfWriter:
    """The merged file, written as objects come: small objects are packed into
    compressed object streams (a hundred at a time), streams are written as they
    are, and a compressed cross-reference stream closes the file."""

    OBJECTS_PER_STREAM = 100

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        # Cross-reference fields per object number: type (0 free, 1 at an offset,
        # 2 inside an object stream), then offset or object stream and index.
        self.kinds = array("B", [0])
        self.where = array("Q", [0])
        self.index = array("I", [65535])
        self.pending: list[tuple[int, bytes]] = []
        file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def reserve(self) -> int:
        self.kinds.append(0)
        self.where.append(0)
        self.index.append(0)
        return len(self.kinds) - 1

    def _write_now(self, number: int, body: bytes, data: bytes | None = None) -> None:
        self.kinds[number] = 1
        self.where[number] = self.file.tell()
        self.file.write(b"%d 0 obj\n" % number)
        self.file.write(body)
        if data is not None:
            self.file.write(b"\nstream\n")
            self.file.write(data)
            self.file.write(b"\nendstream")
        self.file.write(b"\nendobj\n")

    def write(self, number: int, body: bytes, data: bytes | None = None) -> None:
        if data is not None:
            self._write_now(number, body, data)
            return
        self.pending.append((number, body))
        if len(self.pending) >= self.OBJECTS_PER_STREAM:
            self._flush()

    def write_stream(self, number: int, items: list[tuple[str, bytes]], data: bytes) -> None:
        items = [(k, v) for k, v in items if k != "/Length"] + [("/Length", b"%d" % len(data))]
        self._write_now(number, dictionary(items), data)

    def _flush(self) -> None:
        if not self.pending:
            return
        container = self.reserve()
        pairs, bodies, position = [], [], 0
        for number, body in self.pending:
            pairs.append(b"%d %d" % (number, position))
            bodies.append(body)
            position += len(body) + 1
        header = b" ".join(pairs) + b"\n"
        data = zlib.compress(header + b"\n".join(bodies) + b"\n")
        self._write_now(
            container,
            b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>"
            % (len(self.pending), len(header), len(data)),
            data,
        )
        for position, (number, _) in enumerate(self.pending):
            self.kinds[number] = 2
            self.where[number] = container
            self.index[number] = position
        self.pending = []

    def finish(self, *, root: int, info: int, file_id: bytes) -> None:
        self._flush()
        xref = self.reserve()
        self.kinds[xref] = 1
        self.where[xref] = self.file.tell()
        missing = [n for n in range(1, len(self.kinds)) if self.kinds[n] == 0]
        if missing:
            raise ValueError(f"{len(missing)} reserved objects were never written")
        rows = b"".join(
            struct.pack(">BIH", self.kinds[n], self.where[n], min(self.index[n], 65535))
            for n in range(len(self.kinds))
        )
        data = zlib.compress(rows)
        ident = b"<" + file_id.hex().encode() + b">"
        self.file.write(b"%d 0 obj\n" % xref)
        self.file.write(
            b"<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %d 0 R /Info %d 0 R /ID [ %s %s ]"
            b" /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(self.kinds), root, info, ident, ident, len(data))
        )
        self.file.write(data)
        self.file.write(b"\nendstream\nendobj\n")
        self.file.write(b"startxref\n%d\n%%%%EOF\n" % self.where[xref])
