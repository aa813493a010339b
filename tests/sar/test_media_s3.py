"""Media in an S3 bucket: the portal on the storage settings.py builds when
AWS_STORAGE_BUCKET_NAME is set, against moto's S3 (in this process, no
network). A record attachment and a release bundle are written and read back
through Django's storage API alone (there is no local path); what the bucket
holds is the portal's ciphertext, never the PDF, under server-side encryption
and no public grant; the parent downloads the decrypted PDF; preparing again
removes the old object; key rotation rewrites an object in place; the
recovery schedule removes bundle objects that no bundle names."""

import datetime as dt
import hashlib

import boto3
import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from moto import mock_aws
from storages.backends.s3 import S3Storage

from sar import bundles
from sar.demo import _pdf
from sar.encryption import read_encrypted_file
from sar.models import Bundle, Record
from sar.workflow import case_approve, case_submit_for_approval
from tests.portal.test_settings import media_storage_for
from tests.sar.bundle_support import (  # noqa: F401 - the autouse fixture
    _render_in_process,
    accept_every_suggestion,
    in_review,
    make_record,
    prepare,
)
from tests.sar.views.journey import url, verify

pytestmark = pytest.mark.django_db

BUCKET = "portal-media"
REGION = "eu-west-2"
PREFIX = "media"
MARKER = "Attachment marker 7f3c: the educational psychologist's report"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def s3_storage():
    """STORAGES["default"] from the real settings module, with a bucket named."""
    return media_storage_for(
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_REGION_NAME=REGION,
        AWS_LOCATION=PREFIX,
        AWS_S3_SERVER_SIDE_ENCRYPTION="AES256",
    )


@pytest.fixture
def bucket(s3_storage, settings, monkeypatch):
    """A private bucket in moto's S3, and the portal's media in it."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        settings.STORAGES = {**settings.STORAGES, "default": s3_storage}
        yield client


def stored(client, name: str) -> dict:
    return client.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")


def keys(client) -> set[str]:
    listing = client.list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listing.get("Contents", [])}


def assert_private(client, name: str) -> None:
    grants = client.get_object_acl(Bucket=BUCKET, Key=f"{PREFIX}/{name}")["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"].get("URI") != ALL_USERS for grant in grants)


def test_a_record_attachment_is_ciphertext_in_the_bucket_and_reads_back(bucket, parent, caseworker):
    record = make_record(parent, caseworker)
    pdf = _pdf(MARKER)
    assert MARKER.encode() in pdf

    record.set_attachment(pdf)

    assert isinstance(record.attachment.storage, S3Storage)
    assert record.attachment.name.startswith("records/")
    obj = stored(bucket, record.attachment.name)
    at_rest = obj["Body"].read()
    assert MARKER.encode() not in at_rest
    assert not at_rest.startswith(b"%PDF")
    assert obj["ServerSideEncryption"] == "AES256"
    assert_private(bucket, record.attachment.name)
    # Read back through the storage API alone: there is no file on a disk.
    with pytest.raises(NotImplementedError):
        record.attachment.path  # noqa: B018
    assert Record.objects.get(pk=record.pk).attachment_bytes() == pdf
    # Anything that asks for a URL gets a signed one that soon expires.
    link = default_storage.url(record.attachment.name)
    assert "X-Amz-Signature=" in link
    assert "X-Amz-Expires=300" in link


def test_replacing_an_attachment_removes_the_old_object(bucket, parent, caseworker):
    record = make_record(parent, caseworker)
    record.set_attachment(_pdf("First version"))
    first = record.attachment.name

    record.set_attachment(_pdf("Second version"))

    assert record.attachment.name != first
    assert keys(bucket) == {f"{PREFIX}/{record.attachment.name}"}


def test_a_bundle_is_built_into_the_bucket_and_the_parent_downloads_the_pdf(
    bucket,
    submit,
    parent,
    caseworker,
    preparer,
    approver,
    django_capture_on_commit_callbacks,
):
    case = submit().cases.get()
    reviewed = in_review(case, caseworker, [make_record(parent, caseworker, body=MARKER)])
    accept_every_suggestion(reviewed, caseworker)

    first = prepare(reviewed, caseworker, django_capture_on_commit_callbacks)

    assert first.status == "ready"
    assert keys(bucket) == {f"{PREFIX}/{first.file.name}"}
    # Preparing again (as after a correction) replaces the object.
    bundle = prepare(reviewed, preparer, django_capture_on_commit_callbacks, reason="A typo.")
    assert bundle.generation == 2
    assert keys(bucket) == {f"{PREFIX}/{bundle.file.name}"}
    obj = stored(bucket, bundle.file.name)
    at_rest = obj["Body"].read()
    assert not at_rest.startswith(b"%PDF")
    assert obj["ServerSideEncryption"] == "AES256"
    assert_private(bucket, bundle.file.name)

    case = case_submit_for_approval(case=reviewed, actor=preparer)
    with django_capture_on_commit_callbacks(execute=True):
        case_approve(case=case, actor=approver)
    response = verify(Client(), parent).get(url("download", case.request.reference, case.pk))

    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == Bundle.objects.get(pk=bundle.pk).sha256


def test_key_rotation_rewrites_the_object_in_place(bucket, settings, parent, caseworker, capsys):
    old_key = settings.ENCRYPTION_KEYS[0]
    record = make_record(parent, caseworker)
    pdf = _pdf(MARKER)
    record.set_attachment(pdf)
    before = stored(bucket, record.attachment.name)["Body"].read()
    new_key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_encryption_keys")

    assert "1 files re-encrypted" in capsys.readouterr().out
    after = stored(bucket, record.attachment.name)["Body"].read()
    assert after != before
    assert keys(bucket) == {f"{PREFIX}/{record.attachment.name}"}
    settings.ENCRYPTION_KEYS = [new_key]
    assert read_encrypted_file(record.attachment) == pdf
    settings.ENCRYPTION_KEYS = [old_key]
    with pytest.raises(InvalidToken):
        read_encrypted_file(record.attachment)


def test_bundle_objects_no_bundle_names_are_removed_from_the_bucket(
    bucket, settings, submit, parent, caseworker, django_capture_on_commit_callbacks
):
    assert bundles.bundle_files_remove_orphans() == 0  # no bundle yet: no folder
    case = submit().cases.get()
    reviewed = in_review(case, caseworker, [make_record(parent, caseworker)])
    bundle = prepare(reviewed, caseworker, django_capture_on_commit_callbacks)
    orphan = default_storage.save("bundles/left-by-a-killed-task.pdf.enc", ContentFile(b"x"))
    # Both older than any task may run (a fresh file may be about to be saved).
    later = timezone.now() + dt.timedelta(seconds=settings.Q_CLUSTER["timeout"] + 60)

    assert bundles.bundle_files_remove_orphans(now=later) == 1

    assert keys(bucket) == {f"{PREFIX}/{bundle.file.name}"}
    assert orphan not in default_storage.listdir("bundles")[1]
