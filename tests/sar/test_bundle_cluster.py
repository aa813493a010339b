"""A bundle prepared through a real django-q2 cluster (the ORM broker on
SQLite by default, Redis when REDIS_URL is set): the worker, no longer a
daemon, starts the rendering processes, and the bundle comes back ready with
its checksum and one email to the caseworker."""

import hashlib

import pytest
from django.conf import settings

from sar.bundles import bundle_prepare
from sar.encryption import read_encrypted_file
from sar.models import Bundle, BundleStatus
from tests.cluster import running_cluster
from tests.sar.bundle_support import in_review, make_record

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


def test_cluster_workers_may_start_processes():
    assert settings.Q_CLUSTER["daemonize_workers"] is False


def test_a_real_cluster_prepares_the_bundle_in_worker_processes(
    tmp_path, monkeypatch, submit, parent, caseworker
):
    records = [make_record(parent, caseworker, title=f"Case note {n}") for n in range(3)]
    case = in_review(submit().cases.get(), caseworker, records)
    # The cluster writes the file where this test reads it, and renders with
    # its default worker processes (the setting is not passed on).
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    monkeypatch.delenv("BUNDLE_RENDER_PROCESSES", raising=False)

    with running_cluster(tmp_path) as cluster:
        bundle_prepare(subject_case=case, actor=caseworker)  # queued on commit
        # Queued through the outbox: its task carries no id known here, so
        # wait for the bundle itself.
        cluster.wait_until(
            lambda: Bundle.objects.filter(
                subject_case=case, status__in=(BundleStatus.READY, BundleStatus.FAILED)
            ).exists(),
            seconds=120,
            what="finished bundle",
        )
        # The task queues the caseworker's email on its commit: let it go out.
        mails = cluster.wait_for_mail()

    bundle = Bundle.objects.get(subject_case=case)
    assert bundle.status == BundleStatus.READY, cluster.log_text()
    assert (bundle.record_count, bundle.progress_done, bundle.progress_total) == (3, 3, 3)
    pdf = read_encrypted_file(bundle.file)
    assert hashlib.sha256(pdf).hexdigest() == bundle.sha256
    assert "daemonic processes are not allowed" not in cluster.log_text()
    [mail] = mails
    assert "ready to check" in mail.read_text()
