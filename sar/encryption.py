"""Encryption at rest: Fernet tokens under ``settings.ENCRYPTION_KEYS``.

``MultiFernet`` over the keys, newest first: the first key encrypts, every key
decrypts, so a new key is rotated in by putting it first and running
``manage.py rotate_encryption_keys`` (which re-encrypts everything with it)
before the old key is dropped from the list.

``EncryptedTextField`` keeps a text as a token in a binary column and gives the
model plain text; ``EncryptedFileField`` marks a file field whose stored bytes
are a token (written and read through ``write_encrypted_file`` and
``read_encrypted_file``), so the rotation command can find both.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import models


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


def write_encrypted_file(field_file, data: bytes, *, name: str, save: bool = True) -> None:
    """Encrypt ``data`` and store it as ``field_file`` (a model's file attribute)."""
    field_file.save(name, ContentFile(encrypt_bytes(data)), save=save)


def read_encrypted_file(field_file) -> bytes:
    """The decrypted bytes of ``field_file``."""
    with field_file.storage.open(field_file.name, "rb") as handle:
        return decrypt_bytes(handle.read())


def rotate_encrypted_file(field_file) -> bool:
    """Re-encrypt the stored file with the newest key, in place. Returns
    whether anything was written (a missing file is left alone)."""
    storage = field_file.storage
    if not field_file.name or not storage.exists(field_file.name):
        return False
    with storage.open(field_file.name, "rb") as handle:
        token = handle.read()
    rotated = rotate(token)
    # FileSystemStorage.save never overwrites (it picks a new name), so the
    # file is rewritten through open(); the name, and so the row, is unchanged.
    with storage.open(field_file.name, "wb") as handle:
        handle.write(rotated)
    return True
