"""Encryption at rest: Fernet tokens under ``settings.ENCRYPTION_KEYS``.

``MultiFernet`` over the keys, newest first: the first key encrypts, every key
decrypts, so a new key is rotated in by putting it first and running
``manage.py rotate_encryption_keys`` (which re-encrypts everything with it)
before the old key is dropped from the list.

``EncryptedTextField`` keeps a text as a token in a binary column and gives the
model plain text; ``EncryptedFileField`` marks a file field whose stored bytes
are encrypted (written and read through ``write_encrypted_file`` and
``read_encrypted_file`` or ``iter_encrypted_file``), so the rotation command
can find both.

A file is encrypted in segments, so a file of any size is written, read and
rotated in bounded memory: a header line, then for each segment the length of
its token (4 bytes, big-endian) and the token, a Fernet token of the segment's
index (8 bytes), whether it is the last (1 byte) and up to ``SEGMENT_BYTES`` of
the file. Index and flag are inside the authenticated token, so segments cannot
be reordered, dropped or cut off without reading failing. Files written before
segments (one Fernet token of the whole file) are still read and rotated.
"""

from __future__ import annotations

import hashlib
import io
import struct
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from typing import BinaryIO, NamedTuple

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from django.db import models

SEGMENTED_HEADER = b"SAR-FERNET-SEGMENTS-1\n"
# Small enough that encrypting one (Fernet makes a few copies of it) costs the
# process a megabyte or two, large enough that the tokens' overhead is nothing.
SEGMENT_BYTES = 256 * 1024
_LENGTH = struct.Struct(">I")
_SEGMENT = struct.Struct(">QB")  # index, last
# No segment's token is anywhere near this long (whatever SEGMENT_BYTES was when
# it was written): a longer length prefix means a damaged file, not a read of it.
_MAX_TOKEN = 16 * 1024 * 1024


@lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("ENCRYPTION_KEYS is not set.")
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """The keys as configured now (read on each call, so a change of settings,
    in tests or after a rotation, takes effect at once)."""
    return _multi_fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """Raises ``cryptography.fernet.InvalidToken`` if no key opens ``token``."""
    return fernet().decrypt(bytes(token))


def encrypt(text: str) -> bytes:
    return encrypt_bytes(text.encode("utf-8"))


def decrypt(token: bytes) -> str:
    return decrypt_bytes(token).decode("utf-8")


def rotate(token: bytes) -> bytes:
    """``token`` re-encrypted with the newest key (its timestamp kept)."""
    return fernet().rotate(bytes(token))


class EncryptedTextField(models.BinaryField):
    """Text stored as a Fernet token: the column never holds the plain text.

    Cannot be searched or ordered on in the database (each token is different
    even for the same text). ``""`` is stored encrypted like any other text, so
    the length of an empty field is not given away either.
    """

    description = "Text encrypted at rest (Fernet)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") == "":
            del kwargs["default"]
        if kwargs.get("editable") is True:
            del kwargs["editable"]
        else:
            kwargs.setdefault("editable", False)
        return name, path, args, kwargs

    def _check_str_default_value(self):
        # BinaryField forbids a text default; this field's value is text.
        return []

    def get_default(self):
        # BinaryField turns a "" default into b""; this field's value is text.
        default = super().get_default()
        return "" if default == b"" else default

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"{self.name} holds text, not {type(value).__name__}.")
        return encrypt(value)

    def value_to_string(self, obj):
        # Serialised (dumpdata) as the plain text, re-encrypted on load.
        return self.value_from_object(obj)

    def formfield(self, **kwargs):
        from django import forms

        return models.Field.formfield(
            self, form_class=forms.CharField, widget=forms.Textarea, **kwargs
        )


class EncryptedFileField(models.FileField):
    """A file whose stored bytes are a Fernet token. Write it with
    ``write_encrypted_file`` and read it with ``read_encrypted_file``; the
    storage (and anyone with the disk) only ever sees the token."""


class StoredFile(NamedTuple):
    """What was encrypted: the plain file's SHA-256 (hex) and size in bytes."""

    sha256: str
    size: int


def write_encrypted_file(
    field_file, data: bytes | BinaryIO, *, name: str, save: bool = True
) -> StoredFile:
    """Encrypt ``data`` (bytes, or a binary file read from where it stands) and
    store it as ``field_file`` (a model's file attribute), a segment at a time.
    Returns the plain file's SHA-256 and size."""
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    digest = hashlib.sha256()
    size = 0
    # Spooled: a small file stays in memory, a larger one goes to a temporary
    # file (already encrypted) on its way to the storage.
    with tempfile.SpooledTemporaryFile(max_size=SEGMENT_BYTES) as encrypted:
        encrypted.write(SEGMENTED_HEADER)
        for index, block, last in _blocks(source):
            digest.update(block)
            size += len(block)
            token = fernet().encrypt(_SEGMENT.pack(index, last) + block)
            encrypted.write(_LENGTH.pack(len(token)))
            encrypted.write(token)
        encrypted.seek(0)
        field_file.save(name, File(encrypted, name=name), save=save)
    return StoredFile(sha256=digest.hexdigest(), size=size)


def _blocks(source: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """(index, block, last) for each ``SEGMENT_BYTES`` of ``source``; at least one."""
    index, block = 0, source.read(SEGMENT_BYTES)
    while True:
        following = source.read(SEGMENT_BYTES)
        yield index, block, not following
        if not following:
            return
        index, block = index + 1, following


def iter_encrypted_file(field_file) -> Iterator[bytes]:
    """The decrypted bytes of ``field_file``, a segment at a time. Raises
    ``InvalidToken`` when no key opens it or it was altered or cut short
    (possibly after yielding the segments before the damage)."""
    with field_file.storage.open(field_file.name, "rb") as handle:
        head = handle.read(len(SEGMENTED_HEADER))
        if head != SEGMENTED_HEADER:  # one token: written before segments
            yield decrypt_bytes(head + handle.read())
            return
        last = False
        for index, token in enumerate(_tokens(handle)):
            plain = decrypt_bytes(token)
            if last or len(plain) < _SEGMENT.size:
                raise InvalidToken
            found, last = _SEGMENT.unpack_from(plain)
            if found != index:
                raise InvalidToken
            yield plain[_SEGMENT.size :]
        if not last:
            raise InvalidToken


def _tokens(handle: BinaryIO) -> Iterator[bytes]:
    while prefix := handle.read(_LENGTH.size):
        if len(prefix) != _LENGTH.size:
            raise InvalidToken
        (length,) = _LENGTH.unpack(prefix)
        token = handle.read(length) if length <= _MAX_TOKEN else b""
        if not token or len(token) != length:
            raise InvalidToken
        yield token


def read_encrypted_file(field_file) -> bytes:
    """The decrypted bytes of ``field_file``, whole (``iter_encrypted_file``
    reads it a segment at a time)."""
    return b"".join(iter_encrypted_file(field_file))


def rotate_encrypted_file(field_file) -> bool:
    """Re-encrypt the stored file with the newest key, in place. Returns
    whether anything was written (a missing file is left alone)."""
    storage = field_file.storage
    if not field_file.name or not storage.exists(field_file.name):
        return False
    with tempfile.SpooledTemporaryFile(max_size=SEGMENT_BYTES) as rotated:
        with storage.open(field_file.name, "rb") as handle:
            head = handle.read(len(SEGMENTED_HEADER))
            if head == SEGMENTED_HEADER:
                rotated.write(head)
                for token in _tokens(handle):
                    new = rotate(token)
                    rotated.write(_LENGTH.pack(len(new)))
                    rotated.write(new)
            else:
                rotated.write(rotate(head + handle.read()))
        rotated.seek(0)
        # FileSystemStorage.save never overwrites (it picks a new name), so the
        # file is rewritten through open(); the name, and so the row, is unchanged.
        with storage.open(field_file.name, "wb") as handle:
            while block := rotated.read(SEGMENT_BYTES):
                handle.write(block)
    return True
