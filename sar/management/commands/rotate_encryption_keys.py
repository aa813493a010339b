"""Re-encrypt everything encrypted at rest with the newest key.

Put the new key first in ENCRYPTION_KEYS (keeping the old ones after it), run
this, and only then remove the old keys. Safe to run again: every run leaves
everything under the newest key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from sar.encryption import EncryptedFileField, EncryptedTextField, rotate_encrypted_file

BATCH_SIZE = 200


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field and file with the newest key in ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size=BATCH_SIZE, **options):
        total_rows = total_files = 0
        for model in apps.get_models():
            text_fields = [
                f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
            ]
            file_fields = [
                f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedFileField)
            ]
            if not text_fields and not file_fields:
                continue
            rows = files = 0
            queryset = model._default_manager.order_by("pk").only("pk", *text_fields, *file_fields)
            batch = []
            for obj in queryset.iterator(chunk_size=batch_size):
                batch.append(obj)
                if len(batch) >= batch_size:
                    files += self._rotate(model, batch, text_fields, file_fields)
                    rows += len(batch)
                    batch = []
            if batch:
                files += self._rotate(model, batch, text_fields, file_fields)
                rows += len(batch)
            self.stdout.write(
                f"{model._meta.label}: {rows} rows ({len(text_fields)} encrypted fields each), "
                f"{files} files re-encrypted"
            )
            total_rows += rows
            total_files += files
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {total_rows} rows and {total_files} files.")
        )

    def _rotate(self, model, batch, text_fields, file_fields) -> int:
        files = 0
        with transaction.atomic():
            if text_fields:
                # Values were decrypted on load (with whichever key opens them);
                # saving encrypts them again, with the first key.
                model._default_manager.bulk_update(batch, text_fields)
            for obj in batch:
                for name in file_fields:
                    if rotate_encrypted_file(getattr(obj, name)):
                        files += 1
        return files
