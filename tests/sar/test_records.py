"""The records store: encryption at rest, key rotation, the search and saved
selection of records for a subject case, and the demo case file."""

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from portal.audit.models import AuditEvent
from sar import encryption
from sar.demo import DEMO_PARENT_EMAIL, RECORD_COUNT, _pdf, load_demo_case_file
from sar.exceptions import NotPermitted, RuleViolation
from sar.models import Person, Record, RecordKind, ServiceCase, SubjectCaseRecord
from sar.records import (
    DECISION_REASON_NEEDED,
    NOT_CASE_STAFF,
    NOT_REQUESTERS_RECORD,
    record_include_confidential,
    records_attach,
    records_detach,
    records_in_scope,
    records_search,
)
from tests.sar.factories import ChildFactory

SECRET = "Jasmine Okonkwo rang from 01632 960123"
MARKER = "MARKER-Zebra-Quokka-42"


def raw_column(model, field: str, pk: int) -> bytes:
    table = model._meta.db_table
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return bytes(cursor.fetchone()[0])


@pytest.fixture
def service_case(parent, caseworker):
    case = ServiceCase.objects.create(
        service_user=parent, opened_on=dt.date(2024, 1, 1), caseworker=caseworker
    )
    return case


@pytest.fixture
def make_record(service_case, caseworker):
    def make(**fields):
        fields.setdefault("case", service_case)
        fields.setdefault("kind", RecordKind.CASE_NOTE)
        fields.setdefault("date", dt.date(2024, 3, 1))
        fields.setdefault("title", "Case note")
        fields.setdefault("body", "A note.")
        fields.setdefault("author", caseworker)
        return Record.objects.create(**fields)

    return make


@pytest.fixture
def subject_case(submit):
    return submit().cases.get()


# Encryption


def test_encrypt_round_trips_text_and_bytes():
    token = encryption.encrypt(SECRET)
    assert SECRET.encode() not in token
    assert encryption.decrypt(token) == SECRET
    assert encryption.decrypt_bytes(encryption.encrypt_bytes(b"\x00\xff")) == b"\x00\xff"


@pytest.mark.django_db
def test_raw_column_never_holds_the_plain_text(make_record):
    record = make_record(body=SECRET, sender="Jasmine <j@example.org>", recipients="Sam")
    for field in ("body", "sender", "recipients"):
        raw = raw_column(Record, field, record.pk)
        assert b"Jasmine" not in raw and b"Sam" not in raw
        assert raw.startswith(b"gAAAAA")  # a Fernet token
    fresh = Record.objects.get(pk=record.pk)
    assert fresh.body == SECRET
    assert fresh.sender == "Jasmine <j@example.org>"
    assert fresh.recipients == "Sam"
    assert fresh.include_confidential_decision == ""


@pytest.mark.django_db
def test_values_list_decrypts(make_record):
    record = make_record(body=SECRET)
    assert list(Record.objects.filter(pk=record.pk).values_list("body", flat=True)) == [SECRET]


def test_a_token_from_an_unknown_key_does_not_decrypt():
    token = Fernet(Fernet.generate_key()).encrypt(b"x")
    with pytest.raises(InvalidToken):
        encryption.decrypt(token)


@pytest.mark.django_db
def test_attachment_is_encrypted_on_disk_and_reads_back(make_record, settings):
    record = make_record(kind=RecordKind.DOCUMENT)
    pdf = _pdf(MARKER)
    assert MARKER.encode() in pdf
    record.set_attachment(pdf)
    path = Path(record.attachment.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "records")
    on_disk = path.read_bytes()
    assert MARKER.encode() not in on_disk
    assert not on_disk.startswith(b"%PDF")
    assert Record.objects.get(pk=record.pk).attachment_bytes() == pdf


@pytest.mark.django_db
def test_a_record_without_attachment_has_no_bytes(make_record):
    assert make_record().attachment_bytes() is None


# Key rotation


@pytest.mark.django_db
def test_rotation_moves_everything_to_the_newest_key(make_record, settings, capsys):
    old_key = settings.ENCRYPTION_KEYS[0]
    record = make_record(body=SECRET, sender="From", recipients="To")
    record.set_attachment(_pdf(MARKER))
    new_key = Fernet.generate_key().decode()

    # The new key first, the old one second: old data still opens.
    settings.ENCRYPTION_KEYS = [new_key, old_key]
    assert Record.objects.get(pk=record.pk).body == SECRET
    assert Record.objects.get(pk=record.pk).attachment_bytes() == _pdf(MARKER)

    call_command("rotate_encryption_keys", batch_size=1)
    out = capsys.readouterr().out
    assert "sar.Record: 1 rows" in out
    assert "1 files re-encrypted" in out

    settings.ENCRYPTION_KEYS = [new_key]
    fresh = Record.objects.get(pk=record.pk)
    assert (fresh.body, fresh.sender, fresh.recipients) == (SECRET, "From", "To")
    assert fresh.attachment_bytes() == _pdf(MARKER)
    assert fresh.attachment.name == record.attachment.name

    # Idempotent: a second run changes nothing that matters.
    call_command("rotate_encryption_keys")
    assert Record.objects.get(pk=record.pk).body == SECRET

    settings.ENCRYPTION_KEYS = [old_key]
    with pytest.raises(InvalidToken):
        Record.objects.get(pk=record.pk)


def test_rotate_re_encrypts_a_token_with_the_first_key(settings):
    old_key = settings.ENCRYPTION_KEYS[0]
    token = encryption.encrypt("hello")
    new_key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key, old_key]
    rotated = encryption.rotate(token)
    assert Fernet(new_key).decrypt(rotated) == b"hello"


# Search


@pytest.mark.django_db
def test_search_filters_by_date_kind_and_person(make_record, service_case, parent):
    teacher = Person.objects.create(case=service_case, full_name="Ann Teacher", role="teacher")
    child = ChildFactory(parent=parent)
    early = make_record(date=dt.date(2024, 1, 10), kind=RecordKind.PHONE_CALL)
    middle = make_record(date=dt.date(2024, 2, 10), kind=RecordKind.EMAIL)
    late = make_record(date=dt.date(2024, 3, 10), kind=RecordKind.PHONE_CALL)
    middle.mentions.add(teacher)
    late.concerns.add(child)
    other_case = ServiceCase.objects.create(service_user=parent, opened_on=dt.date(2024, 1, 1))
    make_record(case=other_case)

    assert list(records_search(case=service_case)) == [early, middle, late]
    assert list(
        records_search(
            case=service_case, date_from=dt.date(2024, 2, 10), date_to=dt.date(2024, 3, 1)
        )
    ) == [middle]
    assert list(records_search(case=service_case, kinds=[RecordKind.PHONE_CALL])) == [early, late]
    assert list(records_search(case=service_case, person=teacher)) == [middle]
    assert list(records_search(case=service_case, person=child)) == [late]


# Selection


@pytest.mark.django_db
def test_attach_and_detach_are_saved_and_audited(make_record, subject_case, caseworker):
    first = make_record(body=SECRET)
    second = make_record()

    made = records_attach(subject_case=subject_case, records=[first, second], actor=caseworker)
    assert len(made) == 2
    assert records_attach(subject_case=subject_case, records=[first], actor=caseworker) == []
    assert SubjectCaseRecord.objects.filter(subject_case=subject_case).count() == 2

    assert records_detach(subject_case=subject_case, records=[first], actor=caseworker) == 1
    assert list(records_in_scope(subject_case)) == [second]

    events = list(AuditEvent.objects.filter(action__startswith="sar.records.").order_by("id"))
    assert [e.action for e in events] == ["sar.records.attach", "sar.records.detach"]
    assert events[0].data == {"record_ids": sorted([first.pk, second.pk])}
    assert events[1].data == {"record_ids": [first.pk]}
    assert all(e.actor == caseworker for e in events)
    assert "Jasmine" not in json.dumps([e.data for e in events])


@pytest.mark.django_db
def test_only_case_staff_attach(make_record, subject_case, parent):
    with pytest.raises(NotPermitted, match=NOT_CASE_STAFF):
        records_attach(subject_case=subject_case, records=[make_record()], actor=parent)


@pytest.mark.django_db
def test_records_of_another_service_user_cannot_be_attached(
    make_record, subject_case, caseworker, other_parent
):
    other_case = ServiceCase.objects.create(
        service_user=other_parent, opened_on=dt.date(2024, 1, 1)
    )
    with pytest.raises(RuleViolation, match=NOT_REQUESTERS_RECORD):
        records_attach(
            subject_case=subject_case, records=[make_record(case=other_case)], actor=caseworker
        )
    assert not SubjectCaseRecord.objects.exists()


@pytest.mark.django_db
def test_confidential_records_are_out_of_scope_until_inclusion_is_decided(
    make_record, subject_case, caseworker
):
    plain = make_record()
    confidential = make_record(shared_in_confidence_by_child=True)
    records_attach(subject_case=subject_case, records=[plain, confidential], actor=caseworker)
    assert list(records_in_scope(subject_case)) == [plain]

    with pytest.raises(RuleViolation, match=DECISION_REASON_NEEDED):
        record_include_confidential(record=confidential, reason="  ", actor=caseworker)
    assert list(records_in_scope(subject_case)) == [plain]

    decided = record_include_confidential(
        record=confidential, reason="The child agreed on 3 March.", actor=caseworker
    )
    assert decided.decided_by == caseworker and decided.decided_at is not None
    assert list(records_in_scope(subject_case)) == [plain, confidential]
    assert b"agreed" not in raw_column(Record, "include_confidential_decision", confidential.pk)
    event = AuditEvent.objects.get(action="sar.records.include_confidential")
    assert event.data == {}


@pytest.mark.django_db
def test_person_as_known_person(service_case):
    person = Person.objects.create(
        case=service_case,
        full_name="Pat Jones",
        aliases=["Nana Pat"],
        role="grandparent",
    )
    known = person.as_known_person()
    assert known.full_name == "Pat Jones"
    assert known.aliases == ("Nana Pat",)
    assert known.is_suggested


# Demo data


@pytest.mark.django_db
def test_demo_case_file_loads_once():
    summary = load_demo_case_file()
    assert f"{RECORD_COUNT} records" in summary
    case = ServiceCase.objects.get(service_user__email=DEMO_PARENT_EMAIL)
    assert not case.service_user.has_usable_password()
    assert case.records.count() == RECORD_COUNT
    assert case.people.count() == 8
    assert set(case.records.values_list("kind", flat=True)) == set(RecordKind.values)
    assert case.records.filter(shared_in_confidence_by_child=True).exists()
    first = case.records.first()
    assert "01632 960" in "".join(case.records.values_list("body", flat=True))
    assert first.body.encode() not in raw_column(Record, "body", first.pk)
    document = case.records.filter(kind=RecordKind.DOCUMENT).first()
    assert document.attachment_bytes().startswith(b"%PDF")

    assert "already loaded" in load_demo_case_file()
    assert Record.objects.count() == RECORD_COUNT
    assert ServiceCase.objects.count() == 1
