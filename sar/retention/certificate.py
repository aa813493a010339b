"""The disposal certificate: one small PDF rendered from a ``DisposalTombstone``
through the bundle engine's single-document job (WeasyPrint with the
static-only URL fetcher, tagged PDF/UA), in this process: it is one page, so
the worker pool the bundles need is not worth starting.

It is rendered when asked for, from the tombstone, which holds nothing about
anyone, so there is no file to keep or to dispose of in its turn.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from sar.models import DisposalRule, DisposalTombstone, RecordKind
from sar.pdf.jobs import DocumentJob, run_document
from sar.pdf.static import static_roots
from sar.retention.disposal import destroyed


def certificate_html(tombstone: DisposalTombstone) -> str:
    counts = destroyed(tombstone.counts.get("by_model", {}))
    kinds = tombstone.counts.get("records_by_kind", {})
    records_by_kind = [
        (str(RecordKind(kind).label) if kind in RecordKind.values else kind, count)
        for kind, count in kinds.items()
    ]
    confirmed_by = tombstone.confirmed_by
    return render_to_string(
        "sar/pdf/disposal_certificate.html",
        {
            "title": f"Certificate of disposal {tombstone.certificate_number}",
            "service_name": settings.SERVICE_NAME,
            "number": tombstone.certificate_number,
            "tombstone": tombstone,
            "rule": DisposalRule(tombstone.rule).label,
            "counts": counts,
            "records_by_kind": records_by_kind,
            "files": tombstone.counts.get("files", 0),
            "not_erasable": tombstone.counts.get("audit_events_not_erasable", 0),
            "confirmed_by": confirmed_by.get_full_name() or f"staff #{confirmed_by.pk}",
            "confirmed_at": timezone.localtime(tombstone.confirmed_at),
        },
    )


def certificate_pdf(tombstone: DisposalTombstone) -> bytes:
    """The certificate as PDF bytes."""
    html = certificate_html(tombstone)
    roots = tuple((prefix, str(root)) for prefix, root in static_roots())
    with tempfile.TemporaryDirectory(prefix="certificate-") as directory:
        out = Path(directory) / "certificate.pdf"
        run_document(DocumentJob(html=html, out_path=str(out), roots=roots))
        return out.read_bytes()
