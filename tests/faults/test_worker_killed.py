"""Fault: the worker preparing a bundle is killed (SIGKILL) part-way.

A real django-q2 cluster (the ORM broker on SQLite; Redis in the PostgreSQL
run) renders a bundle of a few dozen records in small chunks. Once the
bundle shows some progress, the worker running the task is killed outright
with everything it started (its render fork server and processes), as the
out-of-memory killer or a lost machine would; the cluster's guard starts a
new worker. Then:

- while it is interrupted, nothing half-made is anywhere: the bundle is not
  ready and names no file, nothing is in the media folder, staff cannot open
  a PDF, the case cannot go for approval nor be approved, and the parent has
  nothing to download;
- the job runs again and finishes: the bundle is ready on its second
  attempt, its file decrypts to a whole PDF with the recorded SHA-256, it is
  the only file in the media folder, the killed render's working directory
  (unencrypted pages) is gone, and the caseworker gets exactly one email;
- the case says what happened: its timeline (on the staff case page) and the
  audit trail record that the bundle stopped part-way and started again.

What brings the job back differs by broker. The ORM broker hands the task
out again ``Q_RETRY`` seconds after it was taken, as it was never
acknowledged. Redis does not: django-q2 takes the task off the list with
BLPOP and nothing puts it back, so the portal's resume schedule
(``sar.bundles.recover``, every minute) queues it once the bundle has been
rendering longer than any task may run (``Q_TIMEOUT``); here the test runs
the schedule's function at that moment instead of waiting for the minute.
Q_TIMEOUT and Q_RETRY are cut to seconds for this cluster only.

About 45 s on either (measured 47 s on SQLite, 44 s on PostgreSQL + Redis, on
2 shared cores), plus creating the test database.
"""

import contextlib
import hashlib
import io
import os
import signal

import psutil
import pypdf
import pytest
from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django_q.models import Schedule

from portal.audit.models import AuditEvent
from sar import bundles
from sar.bundles import messages as bundle_messages
from sar.bundles.recover import SCHEDULE_NAME as RESUME_SCHEDULE
from sar.encryption import read_encrypted_file
from sar.exceptions import SarError
from sar.models import Bundle, BundleStatus, CaseStatus, TimelineEntry
from sar.pdf.render import WORKDIR_PREFIX
from sar.workflow import case_approve, case_submit_for_approval
from sar.workflow import messages as workflow_messages
from tests.cluster import running_cluster
from tests.sar.admin_support import case_url, shows
from tests.sar.bundle_support import in_review, make_record

pytestmark = [pytest.mark.cluster, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

# Enough that the render lasts seconds, not one: the kill must land while
# chunks are still rendering (with 36 a quiet machine finished them all
# between two looks at the progress and the kill found the job merging).
RECORDS = 96
# Small chunks, so the bundle reports progress many times before it is done.
CHUNK_SIZE = 3
# Seconds: a task may run for TIMEOUT (longer than the whole render, even on
# a busy machine); the ORM broker hands an unacknowledged task out again
# after RETRY (django-q2 insists on TIMEOUT < RETRY).
TIMEOUT, RETRY = 30, 35
PARAGRAPH = (
    "We talked about the annual review and what happens next. The school has "
    "agreed to share the draft plan a week before the meeting, and we went "
    "through the sections on support in class, travel and the move to the "
    "next key stage. We will call again after the meeting to see how it went."
)
BODY = "\n\n".join([PARAGRAPH] * 6)


def _bundle(case) -> Bundle:
    return Bundle.objects.get(subject_case=case)


def _stored_bundle_files() -> list[str]:
    folder = settings.MEDIA_ROOT / "bundles"
    return sorted(f"bundles/{p.name}" for p in folder.iterdir()) if folder.exists() else []


def _workdirs(tmp: os.PathLike) -> list[str]:
    return sorted(p.name for p in os.scandir(tmp) if p.name.startswith(WORKDIR_PREFIX))


def _command_line(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:  # gone meanwhile (render processes last one job each)
        return ""


def _kill_the_rendering_worker(cluster_pid: int) -> list[int]:
    """SIGKILL the django-q2 worker that is rendering, and every process it
    started (its render fork server and the processes forked from it);
    returns their pids. The worker is the parent of the fork server."""

    def is_fork_server(process: psutil.Process | None) -> bool:
        return process is not None and "multiprocessing.forkserver" in _command_line(process)

    workers = {}
    for process in psutil.Process(cluster_pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            parent = process.parent()
            # Processes forked from the server run the same command line.
            if is_fork_server(process) and parent is not None and not is_fork_server(parent):
                workers[parent.pid] = parent
    assert len(workers) == 1, f"expected one rendering worker, found {list(workers)}"
    [worker] = workers.values()
    victims = [worker, *worker.children(recursive=True)]
    for process in victims:
        with contextlib.suppress(psutil.NoSuchProcess):  # ended by itself meanwhile
            process.send_signal(signal.SIGKILL)
    return [p.pid for p in victims]


def test_a_bundle_whose_worker_is_killed_part_way_is_never_half_served_and_is_finished_again(
    tmp_path, monkeypatch, settings, submit, parent, caseworker, approver, staff_client
):
    records = [
        make_record(parent, caseworker, title=f"Case note {n}", body=BODY) for n in range(RECORDS)
    ]
    case = in_review(submit().cases.get(), caseworker, records)
    # The cluster writes the bundle where this test reads it, renders with
    # its default processes in small chunks, keeps its working directories
    # where this test can see them, and gives up on a task, or hands it out
    # again, within seconds. This process judges "stalled" the same way.
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    monkeypatch.delenv("BUNDLE_RENDER_PROCESSES", raising=False)
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": TIMEOUT, "retry": RETRY}
    work_tmp = tmp_path / "tmp"
    work_tmp.mkdir()
    on_redis = bool(settings.REDIS_URL)
    if not on_redis:
        # So that what brings the job back on the ORM broker is the broker's
        # own redelivery, not the resume schedule.
        Schedule.objects.filter(name=RESUME_SCHEDULE).delete()
    env = {
        "Q_TIMEOUT": str(TIMEOUT),
        "Q_RETRY": str(RETRY),
        "BUNDLE_CHUNK_SIZE": str(CHUNK_SIZE),
        "TMPDIR": str(work_tmp),
    }
    caseworker_client = staff_client(caseworker)

    with running_cluster(tmp_path, env=env) as cluster:
        bundles.bundle_prepare(subject_case=case, actor=caseworker)  # queued on commit
        cluster.wait_until(
            lambda: Bundle.objects.filter(
                subject_case=case, status=BundleStatus.RENDERING, progress_done__gt=0
            ).exists(),
            what="progress on the bundle",
        )
        _kill_the_rendering_worker(cluster.process.pid)
        # The guard sees its worker gone and starts another.
        cluster.wait_until(
            lambda: "after death" in cluster.log_text(), what="a new worker after the kill"
        )

        # Interrupted: nothing half-made can be served, approved or downloaded.
        bundle = _bundle(case)
        assert bundle.status == BundleStatus.RENDERING
        assert 0 < bundle.progress_done < bundle.progress_total == RECORDS
        assert (bundle.attempts, bundle.file.name, bundle.sha256) == (1, "", "")
        assert _stored_bundle_files() == []
        # The killed render's pages (not encrypted) are still on disk...
        assert _workdirs(work_tmp), "the killed render left no working directory"
        pdf_response = caseworker_client.get(reverse("sar_admin:bundle_pdf", args=[case.pk]))
        assert pdf_response.status_code == 302
        assert pdf_response.get("Content-Type", "").split(";")[0] != "application/pdf"
        page = caseworker_client.get(case_url(case), follow=False)
        assert page.status_code == 200
        assert shows(page, "Being prepared:")
        assert not shows(page, "Open the PDF")
        with pytest.raises(SarError) as refused:
            case_submit_for_approval(case=case, actor=caseworker)
        assert refused.value.message == workflow_messages.BUNDLE_NOT_READY
        with pytest.raises(SarError):
            case_approve(case=case, actor=approver)
        assert bundles.downloads_for_parent(parent, case.request) == []
        with pytest.raises(Http404):
            bundles.bundle_download(user=parent, reference=case.request.reference, case_id=case.pk)

        if on_redis:
            # Nothing redelivers it on Redis: once it has been rendering for
            # longer than any task may run, the resume schedule queues it.
            cluster.wait_until(
                lambda: bundles.bundle_stalled(_bundle(case)), what="the bundle to count as stalled"
            )
            bundles.bundles_resume_stalled()
        cluster.wait_until(
            lambda: Bundle.objects.filter(
                subject_case=case, status__in=(BundleStatus.READY, BundleStatus.FAILED)
            ).exists(),
            seconds=RETRY + 90,
            what="finished bundle",
        )
        mails = cluster.wait_for_mail()

    # Finished on its second attempt, whole, and the only file.
    bundle = _bundle(case)
    assert bundle.status == BundleStatus.READY, (bundle.error, cluster.log_text())
    assert bundle.attempts == 2
    pdf = read_encrypted_file(bundle.file)
    assert hashlib.sha256(pdf).hexdigest() == bundle.sha256
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == bundle.page_count > RECORDS
    assert bundle.record_count == RECORDS
    assert _stored_bundle_files() == [bundle.file.name]
    # ...and the second render removed them, and its own.
    assert _workdirs(work_tmp) == []
    [mail] = mails
    assert "ready to check" in mail.read_text()

    # The case says what happened, on the staff case page too.
    restarted = bundle_messages.RESTARTED.format(attempt=2, most=bundles.MAX_ATTEMPTS)
    timeline = list(case.timeline.order_by("at", "pk").values_list("kind", flat=True))
    assert timeline[-3:] == ["bundle_prepare", "bundle_restarted", "bundle_ready"]
    assert TimelineEntry.objects.get(case=case, kind="bundle_restarted").message == restarted
    assert shows(caseworker_client.get(case_url(case)), restarted)
    restart = AuditEvent.objects.get(action="sar.bundle.restarted")
    assert (restart.object_id, restart.data["attempt"]) == (str(bundle.pk), 2)
    started = AuditEvent.objects.filter(action="sar.bundle.started", object_id=str(bundle.pk))
    assert sorted(e.data["attempt"] for e in started) == [1, 2]
    # And it can now go for approval as usual.
    case = case_submit_for_approval(case=case, actor=caseworker)
    assert case.status == CaseStatus.AWAITING_APPROVAL
