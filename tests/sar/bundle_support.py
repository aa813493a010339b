"""Helpers for the bundle tests: a subject case in review with records chosen,
every suggestion accepted through the domain, and preparing a bundle with the
task run as django-q2 runs it in the tests (synchronously, on commit)."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager

import pypdf
import pytest

from sar.bundles import bundle_prepare
from sar.encryption import read_encrypted_file
from sar.models import Bundle, Record, RecordKind, ServiceCase, SubjectCase
from sar.records import records_attach
from sar.redactions import suggestions_accept_all
from sar.workflow import case_start, case_submit_for_review

NOTE = "We talked about the annual review and what happens next."


@pytest.fixture(autouse=True)
def _render_in_process(settings):
    """Render in the test's own process (fast); the tests that prove the
    multiprocess engine and the real cluster set it back."""
    settings.BUNDLE_RENDER_PROCESSES = 0


def service_case_for(parent, caseworker) -> ServiceCase:
    return ServiceCase.objects.get_or_create(
        service_user=parent,
        defaults={"opened_on": dt.date(2024, 1, 1), "caseworker": caseworker},
    )[0]


def make_record(parent, caseworker, *, body: str = NOTE, **fields) -> Record:
    fields.setdefault("kind", RecordKind.CASE_NOTE)
    fields.setdefault("date", dt.date(2024, 3, 1))
    fields.setdefault("title", "Case note")
    return Record.objects.create(
        case=service_case_for(parent, caseworker), author=caseworker, body=body, **fields
    )


def in_review(case: SubjectCase, caseworker, records=()) -> SubjectCase:
    """``case`` taken through the workflow to review, with ``records`` chosen."""
    case = case_start(case=case, actor=caseworker)
    if records:
        records_attach(subject_case=case, records=records, actor=caseworker)
    return case_submit_for_review(case=case, actor=caseworker)


def accept_every_suggestion(case: SubjectCase, caseworker) -> int:
    return suggestions_accept_all(subject_case=case, actor=caseworker)


def prepare(case: SubjectCase, caseworker, capture, **kwargs) -> Bundle:
    """Prepare the bundle; the task runs when the transaction commits (as in
    production), synchronously (Q_SYNC in the tests)."""
    with capture(execute=True):
        bundle_prepare(subject_case=case, actor=caseworker, **kwargs)
    return Bundle.objects.get(subject_case=case)


@contextmanager
def queued_until_the_block_ends(case: SubjectCase, caseworker, capture):
    """Prepare the bundle; its task waits in the queue while the ``with`` block
    runs (whatever changes meanwhile), then runs as it would on commit."""
    with capture(execute=False) as queued:
        bundle_prepare(subject_case=case, actor=caseworker)
    yield
    with capture(execute=True):
        for callback in queued:
            callback()


def pdf_of(bundle: Bundle) -> bytes:
    bundle.refresh_from_db()
    return read_encrypted_file(bundle.file)


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
