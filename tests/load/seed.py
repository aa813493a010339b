"""Demo data for the load test, written into the throwaway database that
``tests/load/run.py`` created: the demo content, locations and hours
(``load_demo_data``), and parents who can sign in with a password and an
authenticator app (TOTP), each with a request to book an appointment for and
a request about a child whose redacted copy is ready to download.

    python tests/load/seed.py --parents 30 --out accounts.json

writes the accounts (email, password, the TOTP secret in base32) for the
locust users. Fictional people only.
"""

import argparse
import base64
import datetime
import io
import json
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

PASSWORD = "load test password 2026"  # noqa: S105 - a throwaway database's fictional accounts


def _tiny_pdf() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _ready_bundle(case, *, staff, pdf: bytes) -> bool:
    """A released case with a ready, encrypted bundle, as the bundles feature
    leaves one for the parent to download. False where that feature's model
    is missing (the download journey is then skipped)."""
    try:
        from sar.models.bundles import Bundle, BundleStatus
    except ImportError:
        return False
    import hashlib

    from django.utils import timezone

    from sar.encryption import write_encrypted_file
    from sar.models import TERMINAL_STATUSES, CaseStatus, SubjectCase

    SubjectCase.objects.filter(pk=case.pk).update(
        status=CaseStatus.RELEASED,
        closed_at=timezone.now() if CaseStatus.RELEASED in TERMINAL_STATUSES else None,
    )
    bundle = Bundle(
        subject_case=case,
        status=BundleStatus.READY,
        prepared_by=staff,
        finished_at=timezone.now(),
        sha256=hashlib.sha256(pdf).hexdigest(),
        size_bytes=len(pdf),
        page_count=1,
        available_until=timezone.now() + datetime.timedelta(days=30),
    )
    write_encrypted_file(bundle.file, pdf, name="bundle.pdf", save=False)
    bundle.save()
    return True


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parents", type=int, default=30)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from appointments.demo import DEMO_STAFF_EMAIL
    from sar.models import Child, Delivery, Scope
    from sar.views.journey import live_code_page
    from sar.workflow import request_submit

    call_command("load_demo_data", verbosity=0)
    _, revision = live_code_page()
    User = get_user_model()
    staff = User.objects.get(email__iexact=DEMO_STAFF_EMAIL)
    pdf = _tiny_pdf()
    accounts = []
    bundles = 0
    for n in range(args.parents):
        with transaction.atomic():
            user = User.objects.create_user(
                email=f"load.parent{n}@example.org",
                password=PASSWORD,
                full_name=f"Load Parent {n}",
            )
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            child = Child.objects.create(
                parent=user,
                full_name=f"Load Child {n}",
                date_of_birth=datetime.date(2016, 1 + n % 12, 1 + n % 28),
                school_or_setting="Riverside Primary School",
                relationship="mother",
                has_parental_responsibility=True,
            )
            to_book = request_submit(
                requester=user,
                about_requester=True,
                scope=Scope.EVERYTHING,
                delivery=Delivery.APPOINTMENT,
                code_revision=revision,
            )
            to_download = request_submit(
                requester=user,
                about_requester=False,
                children=[child],
                scope=Scope.EVERYTHING,
                delivery=Delivery.DOWNLOAD,
                code_revision=revision,
            )
            bundles += _ready_bundle(to_download.cases.get(), staff=staff, pdf=pdf)
        accounts.append(
            {
                "email": user.email,
                "password": PASSWORD,
                "totp": base64.b32encode(bytes.fromhex(device.key)).decode(),
                "requests": [to_book.reference, to_download.reference],
            }
        )
    args.out.write_text(json.dumps({"accounts": accounts, "bundles": bundles}, indent=1))
    print(f"Seeded {len(accounts)} parents ({bundles} ready bundles).")


if __name__ == "__main__":
    main()
