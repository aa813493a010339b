"""Files encrypted at rest in segments (``sar.encryption``): a file of any size
is written, read and rotated a segment at a time, and a file whose segments
were reordered, dropped or cut short does not open."""

import hashlib
import io
import struct
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.files.base import ContentFile
from django.core.management import call_command

from sar import encryption
from sar.models import Record, RecordKind, ServiceCase

pytestmark = pytest.mark.django_db

MARKER = b"Only-In-The-Plain-File"
# Small segments, so a few kilobytes make several of them.
SEGMENT = 1000


@pytest.fixture(autouse=True)
def small_segments(monkeypatch):
    monkeypatch.setattr(encryption, "SEGMENT_BYTES", SEGMENT)


@pytest.fixture
def record(parent, caseworker):
    case = ServiceCase.objects.create(
        service_user=parent, opened_on="2024-01-01", caseworker=caseworker
    )
    return Record.objects.create(
        case=case, kind=RecordKind.DOCUMENT, date="2025-01-02", author=caseworker, title="Doc"
    )


def plain(size: int) -> bytes:
    """``size`` bytes with the marker in every segment."""
    block = MARKER + bytes(range(256)) * 4
    return (block * (size // len(block) + 1))[:size]


def on_disk(record: Record) -> bytes:
    return Path(record.attachment.path).read_bytes()


def segments(data: bytes) -> list[bytes]:
    """The length-prefixed tokens after the header, each with its prefix."""
    assert data.startswith(encryption.SEGMENTED_HEADER)
    rest, found = data[len(encryption.SEGMENTED_HEADER) :], []
    while rest:
        (length,) = struct.unpack(">I", rest[:4])
        found.append(rest[: 4 + length])
        rest = rest[4 + length :]
    return found


def rewrite(record: Record, parts: list[bytes]) -> None:
    Path(record.attachment.path).write_bytes(encryption.SEGMENTED_HEADER + b"".join(parts))


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 5 * SEGMENT + 17])
def test_a_file_of_any_size_round_trips_and_reports_its_hash(record, size):
    data = plain(size)
    stored = encryption.write_encrypted_file(record.attachment, data, name="a.pdf")
    assert stored == (hashlib.sha256(data).hexdigest(), size)
    assert encryption.read_encrypted_file(Record.objects.get(pk=record.pk).attachment) == data
    assert len(segments(on_disk(record))) == max(1, -(-size // SEGMENT))


def test_a_file_is_read_from_where_it_stands_and_never_stored_plain(record, tmp_path):
    data = plain(4 * SEGMENT)
    source = tmp_path / "plain.pdf"
    source.write_bytes(data)
    with source.open("rb") as handle:
        encryption.write_encrypted_file(record.attachment, handle, name="a.pdf")
    raw = on_disk(record)
    assert MARKER not in raw
    assert list(encryption.iter_encrypted_file(record.attachment)) == [
        data[i : i + SEGMENT] for i in range(0, len(data), SEGMENT)
    ]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda parts: [parts[1], parts[0], *parts[2:]], id="reordered"),
        pytest.param(lambda parts: parts[:-1], id="last-dropped"),
        pytest.param(lambda parts: [parts[0], *parts[2:]], id="middle-dropped"),
        pytest.param(lambda parts: [*parts, parts[-1]], id="segment-appended"),
        pytest.param(lambda parts: [*parts[:-1], parts[-1][:-10]], id="cut-short"),
        pytest.param(lambda parts: [*parts, b"\x00\x00"], id="trailing-bytes"),
    ],
)
def test_a_file_whose_segments_were_tampered_with_does_not_open(record, tamper):
    encryption.write_encrypted_file(record.attachment, plain(3 * SEGMENT + 5), name="a.pdf")
    rewrite(record, tamper(segments(on_disk(record))))
    with pytest.raises(InvalidToken):
        encryption.read_encrypted_file(record.attachment)


def test_a_file_written_before_segments_still_opens_and_rotates(record, settings):
    data = plain(2500)
    record.attachment.save("old.pdf", ContentFile(encryption.encrypt_bytes(data)))
    assert encryption.read_encrypted_file(record.attachment) == data

    old_key = settings.ENCRYPTION_KEYS[0]
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    assert encryption.rotate_encrypted_file(record.attachment)
    settings.ENCRYPTION_KEYS = settings.ENCRYPTION_KEYS[:1]
    assert encryption.read_encrypted_file(record.attachment) == data


def test_rotation_re_encrypts_every_segment_with_the_newest_key(record, settings):
    data = plain(4 * SEGMENT + 3)
    encryption.write_encrypted_file(record.attachment, data, name="a.pdf")
    name = record.attachment.name
    old_key = settings.ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_encryption_keys", stdout=io.StringIO())

    settings.ENCRYPTION_KEYS = [new_key]
    fresh = Record.objects.get(pk=record.pk)
    assert fresh.attachment.name == name
    assert encryption.read_encrypted_file(fresh.attachment) == data
    settings.ENCRYPTION_KEYS = [old_key]
    with pytest.raises(InvalidToken):
        encryption.read_encrypted_file(fresh.attachment)
