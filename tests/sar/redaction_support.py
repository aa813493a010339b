"""Fixtures for the records and redaction tests: a service case with two
known third parties, records on it, and a subject case in review with a
record chosen. Import the fixtures into a test module, as with
``admin_support``: ``from tests.sar.redaction_support import
reviewing_fixture  # noqa: F401`` (it is named ``reviewing``)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from sar.models import CaseStatus, Person, Record, RecordKind, ServiceCase
from sar.records import records_attach
from tests.sar.steps import put_case_in

REQUESTER_NAME = "Patricia Lindqvist"
NEIGHBOUR = "Jasmine Okonkwo"
NEIGHBOUR_PHONE = "01632 960123"
NEIGHBOURS_SON = "Tobias Quill"
NEIGHBOUR_EMAIL = "jasmine@example.org"
# The words the detectors suggest in BODY, in order.
SUGGESTED = (NEIGHBOUR, NEIGHBOUR_PHONE, NEIGHBOURS_SON, NEIGHBOUR_EMAIL)
BODY = (
    f"{NEIGHBOUR} rang from {NEIGHBOUR_PHONE} about the lunchtime club.\n"
    f"She said her son {NEIGHBOURS_SON} was upset at the club. Email {NEIGHBOUR_EMAIL}."
)


def span_of(text: str, words: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = text.index(words, start + 1)
    return start, start + len(words)


@pytest.fixture(name="service_case")
def service_case_fixture(parent, caseworker):
    parent.full_name = REQUESTER_NAME
    parent.save(update_fields=["full_name"])
    case = ServiceCase.objects.create(
        service_user=parent, opened_on=dt.date(2024, 1, 1), caseworker=caseworker
    )
    Person.objects.create(case=case, full_name=NEIGHBOUR, role="neighbour")
    Person.objects.create(case=case, full_name=NEIGHBOURS_SON, role="other child")
    return case


@pytest.fixture(name="make_record")
def make_record_fixture(service_case, caseworker):
    def make(**fields):
        fields.setdefault("case", service_case)
        fields.setdefault("kind", RecordKind.PHONE_CALL)
        fields.setdefault("date", dt.date(2024, 3, 1))
        fields.setdefault("title", "Phone call")
        fields.setdefault("body", BODY)
        fields.setdefault("author", caseworker)
        return Record.objects.create(**fields)

    return make


@pytest.fixture(name="reviewing")
def reviewing_fixture(submit, caseworker, make_record):
    """A subject case in review (redaction open) with ``record`` chosen."""
    case = submit().cases.get()
    record = make_record()
    records_attach(subject_case=case, records=[record], actor=caseworker)
    put_case_in(case, CaseStatus.IN_REVIEW)
    return SimpleNamespace(case=case, record=record)
