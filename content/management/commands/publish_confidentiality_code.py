from pathlib import Path

from django.core.management.base import BaseCommand

from content.models import ConfidentialityCodePage
from content.seed import publish_confidentiality_code


class Command(BaseCommand):
    help = (
        "Publish the confidentiality code page from its Markdown source "
        "(settings.CONFIDENTIALITY_SEED). Does nothing if the live page already matches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", type=Path, help="Markdown file to publish instead of the configured seed."
        )

    def handle(self, *args, source=None, **options):
        before = ConfidentialityCodePage.objects.values_list("live_revision_id", flat=True).first()
        page = publish_confidentiality_code(source=source)
        if page.live_revision_id != before:
            self.stdout.write(
                self.style.SUCCESS(f"Published the confidentiality code at {page.url}")
            )
        else:
            self.stdout.write(f"The confidentiality code at {page.url} is already up to date.")
