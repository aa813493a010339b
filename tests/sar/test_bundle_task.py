"""The bundle task: idempotent (a stale generation, or a second delivery,
makes no second file and no second email), failures recorded on the bundle
with a reason for staff that never quotes a record, and tried again."""

import datetime as dt
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.audit.models import AuditEvent
from sar import bundles
from sar.bundles import messages as bundle_messages
from sar.bundles.build import ChunkLoader, _plan
from sar.exceptions import RuleViolation
from sar.models import Bundle, BundleStatus, Person, Record, TimelineEntry
from sar.pdf.render import BundleRenderError
from sar.redaction import ReasonCode
from sar.redactions import RECORD_CHANGED, read, record_withhold, redaction_add_text
from sar.tasks import prepare_bundle_task
from tests.sar.bundle_support import (  # noqa: F401 - the autouse fixture
    _render_in_process,
    accept_every_suggestion,
    in_review,
    make_record,
    pdf_of,
    prepare,
    queued_until_the_block_ends,
)
from tests.sar.pdf_support import pypdf_text

pytestmark = pytest.mark.django_db

SECRET_PHONE = "01632 960123"


@pytest.fixture
def record(parent, caseworker):
    return make_record(parent, caseworker, body=f"Mum rang from {SECRET_PHONE} today.")


@pytest.fixture
def case(submit, caseworker, record):
    case = in_review(submit().cases.get(), caseworker, [record])
    accept_every_suggestion(case, caseworker)
    return case


def ready_emails(mailoutbox):
    return [m for m in mailoutbox if "ready to check" in m.subject]


def failed_emails(mailoutbox):
    return [m for m in mailoutbox if "could not be made" in m.subject]


# Idempotent ----------------------------------------------------------------------


def test_a_second_delivery_of_a_finished_task_does_nothing(
    case, caseworker, django_capture_on_commit_callbacks, mailoutbox
):
    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)
    name, sha = bundle.file.name, bundle.sha256
    storage = bundle.file.storage
    files = set(storage.listdir("bundles")[1])

    with django_capture_on_commit_callbacks(execute=True):
        outcome = prepare_bundle_task(bundle.pk, bundle.generation)

    assert outcome == "skipped"
    bundle.refresh_from_db()
    assert (bundle.file.name, bundle.sha256, bundle.attempts) == (name, sha, 1)
    assert set(storage.listdir("bundles")[1]) == files
    assert len(ready_emails(mailoutbox)) == 1
    assert TimelineEntry.objects.filter(kind="bundle_ready").count() == 1


def stalled_since(settings) -> dt.datetime:
    """A start longer ago than the queue lets any task run."""
    return timezone.now() - dt.timedelta(seconds=settings.Q_CLUSTER["timeout"] + 1)


def test_two_deliveries_of_an_unfinished_task_make_one_bundle_and_one_email(
    settings, case, caseworker, django_capture_on_commit_callbacks, mailoutbox
):
    # The queue delivers the task again when a worker died part-way (the
    # bundle is left "rendering", and the ORM broker hands the task out again
    # after Q_RETRY, longer than Q_TIMEOUT): the redelivery builds it, and
    # the case says it started again; a third does nothing.
    with django_capture_on_commit_callbacks(execute=False):
        bundles.bundle_prepare(subject_case=case, actor=caseworker)
    bundle = Bundle.objects.get(subject_case=case)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.RENDERING, attempts=1, started_at=stalled_since(settings)
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = prepare_bundle_task(bundle.pk, bundle.generation)
        second = prepare_bundle_task(bundle.pk, bundle.generation)

    assert (first, second) == ("ready", "skipped")
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.READY
    assert bundle.attempts == 2
    assert len(bundle.file.storage.listdir("bundles")[1]) == 1
    assert len(ready_emails(mailoutbox)) == 1
    restarted = TimelineEntry.objects.get(kind="bundle_restarted")
    assert restarted.message == bundle_messages.RESTARTED.format(
        attempt=2, most=bundles.MAX_ATTEMPTS
    )
    assert not restarted.visible_to_parent
    event = AuditEvent.objects.get(action="sar.bundle.restarted")
    assert event.reason == bundle_messages.RESTARTED_REASON
    assert (event.object_id, event.data["attempt"]) == (str(bundle.pk), 2)


def test_a_delivery_while_another_attempt_may_still_run_does_nothing(
    case, caseworker, django_capture_on_commit_callbacks, mailoutbox
):
    # A duplicate (the outbox queued it twice, or the resume schedule raced
    # the broker's redelivery) arrives while an attempt started within the
    # queue's timeout: that attempt may be alive, so this one leaves it be.
    with django_capture_on_commit_callbacks(execute=False):
        bundle = bundles.bundle_prepare(subject_case=case, actor=caseworker)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.RENDERING, attempts=1, started_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert prepare_bundle_task(bundle.pk, bundle.generation) == "skipped"

    bundle.refresh_from_db()
    assert (bundle.status, bundle.attempts, bundle.file.name) == (BundleStatus.RENDERING, 1, "")
    assert not TimelineEntry.objects.filter(kind="bundle_restarted").exists()
    assert ready_emails(mailoutbox) == []


def test_a_task_for_an_earlier_preparation_does_nothing(
    case, caseworker, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        bundles.bundle_prepare(subject_case=case, actor=caseworker)
    first = Bundle.objects.get(subject_case=case).generation
    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)
    assert bundle.generation == first + 1

    with django_capture_on_commit_callbacks(execute=True):
        assert prepare_bundle_task(bundle.pk, first) == "skipped"

    bundle.refresh_from_db()
    assert (bundle.status, bundle.generation) == (BundleStatus.READY, first + 1)
    assert len(ready_emails(mailoutbox)) == 1


def test_the_task_is_named_for_its_bundle_and_generation(case, caseworker):
    bundle = Bundle(pk=7, generation=3)
    assert bundles.task_name(bundle) == "bundle-7-generation-3"


# Failures --------------------------------------------------------------------


def test_a_record_changed_after_it_was_prepared_fails_the_bundle_with_a_clear_reason(
    case, caseworker, record, django_capture_on_commit_callbacks, mailoutbox
):
    redaction_add_text(
        subject_case=case,
        record=record,
        field="body",
        text="today",
        reason_code=ReasonCode.SERIOUS_HARM,
        actor=caseworker,
    )
    with queued_until_the_block_ends(case, caseworker, django_capture_on_commit_callbacks):
        # Edited before the task runs: the span chosen by hand no longer covers its words.
        changed = Record.objects.get(pk=record.pk)
        changed.body = f"Mum rang from {SECRET_PHONE} twice."
        changed.save()

    bundle = Bundle.objects.get(subject_case=case)
    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == RECORD_CHANGED.format(record=changed)
    assert "twice" not in bundle.error and SECRET_PHONE not in bundle.error
    assert not bundle.file and not bundle.sha256
    assert TimelineEntry.objects.get(kind="bundle_failed").message.endswith(bundle.error)
    [sent] = failed_emails(mailoutbox)
    assert sent.to == [caseworker.email]
    assert case.request.reference not in sent.body

    # Trying again is refused, with the same words, until the review is put right.
    with pytest.raises(RuleViolation) as caught:
        bundles.bundle_retry(bundle=bundle, actor=caseworker)
    assert caught.value.message == RECORD_CHANGED.format(record=changed)
    changed.body = f"Mum rang from {SECRET_PHONE} today."
    changed.save()
    with django_capture_on_commit_callbacks(execute=True):
        bundles.bundle_retry(bundle=bundle, actor=caseworker)
    bundle.refresh_from_db()
    assert (bundle.status, bundle.generation, bundle.error) == (BundleStatus.READY, 2, "")
    assert pdf_of(bundle).startswith(b"%PDF")


# Built a chunk at a time ------------------------------------------------------------


@pytest.fixture
def three_chunks(submit, parent, caseworker, settings):
    """A case of three records, one per chunk, every suggestion accepted."""
    settings.BUNDLE_CHUNK_SIZE = 1
    records = [
        make_record(parent, caseworker, body=f"Note {n}: Mum rang from {SECRET_PHONE}.")
        for n in range(3)
    ]
    case = in_review(submit().cases.get(), caseworker, records)
    accept_every_suggestion(case, caseworker)
    return case, records


def test_records_are_read_and_redacted_one_chunk_at_a_time(
    three_chunks, caseworker, monkeypatch, django_capture_on_commit_callbacks
):
    case, records = three_chunks
    loaded = []
    load = ChunkLoader.__call__

    def spy(self, entries):
        printed = load(self, entries)
        loaded.append([record.anchor for record in printed])
        return printed

    monkeypatch.setattr(ChunkLoader, "__call__", spy)
    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)

    assert bundle.status == BundleStatus.READY
    assert loaded == [[f"record-{record.pk}"] for record in records]
    text = pypdf_text(pdf_of(bundle))
    assert "Note 2: Mum rang from" in text and SECRET_PHONE not in text


def test_a_chunk_is_read_in_the_same_queries_however_many_decisions_its_records_have(
    submit, parent, caseworker, django_assert_num_queries
):
    # The job reads thousands of decisions: only the fields it applies, and
    # never one more query for a field left out.
    few = make_record(parent, caseworker, body=f"Mum rang from {SECRET_PHONE}.")
    many = make_record(
        parent, caseworker, body=" ".join(f"Call 01632 9601{n:02d} today." for n in range(30))
    )
    case = in_review(submit().cases.get(), caseworker, [few, many])
    assert accept_every_suggestion(case, caseworker) == 31
    entries = {entry.anchor: entry for entry in _plan(case)[0]}
    load = ChunkLoader(case)
    with CaptureQueriesContext(connection) as one_decision:
        [printed] = load([entries[f"record-{few.pk}"]])
    assert SECRET_PHONE not in printed.body_html

    with django_assert_num_queries(len(one_decision.captured_queries)):
        [printed] = load([entries[f"record-{many.pk}"]])
    assert "01632 960129" not in printed.body_html and "today" in printed.body_html


def test_a_record_withheld_while_the_bundle_is_built_fails_it(
    three_chunks, caseworker, monkeypatch, django_capture_on_commit_callbacks
):
    # The contents, already laid out, list the record: printing the rest
    # without it would make them wrong, so the bundle fails and says why.
    case, records = three_chunks
    load = ChunkLoader.__call__

    def withhold_the_last_after_the_first(self, entries):
        if entries[0].anchor == f"record-{records[0].pk}":
            record_withhold(
                subject_case=case,
                record=records[2],
                reason_code=ReasonCode.SERIOUS_HARM,
                actor=caseworker,
            )
        return load(self, entries)

    monkeypatch.setattr(ChunkLoader, "__call__", withhold_the_last_after_the_first)
    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)

    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == bundle_messages.FAILED_CHANGED
    assert not bundle.file


def test_a_suggestion_left_undecided_in_a_later_chunk_fails_the_bundle(
    three_chunks, parent, caseworker, django_capture_on_commit_callbacks
):
    case, records = three_chunks
    with queued_until_the_block_ends(case, caseworker, django_capture_on_commit_callbacks):
        # Before the task runs, the last record gains a phone number nobody decided on.
        last = Record.objects.get(pk=records[2].pk)
        last.body += " Her sister's number is 01632 960999."
        last.save()

    bundle = Bundle.objects.get(subject_case=case)
    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == bundle_messages.FAILED_UNDECIDED
    assert not bundle.file


def test_a_third_party_added_after_preparing_fails_the_bundle(
    submit, parent, caseworker, settings, django_capture_on_commit_callbacks
):
    settings.BUNDLE_CHUNK_SIZE = 1
    records = [
        make_record(parent, caseworker, body=f"Note {n}: Mum rang. Dana Whitlock came too.")
        for n in range(3)
    ]
    case = in_review(submit().cases.get(), caseworker, records)
    with queued_until_the_block_ends(case, caseworker, django_capture_on_commit_callbacks):
        # Before the task runs, the caseworker records who Dana is: her name is
        # now a suggestion nobody has decided on, though no record's text changed.
        Person.objects.create(case=records[2].case, full_name="Dana Whitlock", role="aunt")

    bundle = Bundle.objects.get(subject_case=case)
    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == bundle_messages.FAILED_UNDECIDED
    assert not bundle.file


def test_records_unchanged_since_preparing_are_not_scanned_again(
    three_chunks, caseworker, monkeypatch, django_capture_on_commit_callbacks
):
    case, records = three_chunks
    with queued_until_the_block_ends(case, caseworker, django_capture_on_commit_callbacks):
        # Preparing remembered each record as complete; edit one of them.
        changed = Record.objects.get(pk=records[0].pk)
        changed.body += " All agreed."
        changed.save()
        scanned = []
        scan = read.suggestions_for

        def spy(record, people):
            scanned.append(record.pk)
            return scan(record, people)

        monkeypatch.setattr(read, "suggestions_for", spy)

    bundle = Bundle.objects.get(subject_case=case)
    assert bundle.status == BundleStatus.READY
    assert scanned == [records[0].pk]
    assert SECRET_PHONE not in pypdf_text(pdf_of(bundle))


def test_a_rendering_error_is_reported_without_its_own_words(
    case, caseworker, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise BundleRenderError(f"Rendering the bundle failed (ValueError: {SECRET_PHONE}).")

    monkeypatch.setattr("sar.pdf.render.render_bundle_file", broken)
    caplog.set_level(logging.INFO)

    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)

    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == bundle_messages.FAILED_RENDER
    assert SECRET_PHONE not in caplog.text


def test_an_unexpected_error_fails_the_bundle_and_is_not_raised_to_the_queue(
    case, caseworker, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError(f"Cannot read {SECRET_PHONE}")

    monkeypatch.setattr("sar.bundles.build.record_html", broken)
    caplog.set_level(logging.INFO)

    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)

    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == bundle_messages.FAILED_UNEXPECTED
    assert "RuntimeError" in caplog.text
    assert SECRET_PHONE not in caplog.text


def test_a_bundle_that_keeps_stopping_part_way_is_failed_with_a_reason(
    settings, case, caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        bundle = bundles.bundle_prepare(subject_case=case, actor=caseworker)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.RENDERING,
        attempts=bundles.MAX_ATTEMPTS,
        started_at=stalled_since(settings),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert prepare_bundle_task(bundle.pk, bundle.generation) == "skipped"

    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == bundle_messages.FAILED_ATTEMPTS.format(attempts=bundles.MAX_ATTEMPTS)


def test_a_broker_outage_leaves_the_bundle_waiting_and_the_relay_queues_it(
    case, caseworker, django_capture_on_commit_callbacks
):
    from portal.outbox import relay
    from portal.outbox.models import PendingTask
    from tests.broker import broker_unreachable

    with broker_unreachable():
        bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)

    assert bundle.status == BundleStatus.QUEUED
    waiting = PendingTask.objects.filter(func="sar.tasks.prepare_bundle_task")
    assert list(waiting.values_list("args", flat=True)) == [[bundle.pk, bundle.generation]]

    # The broker is back (tasks run in this process again): the relay queues it.
    with django_capture_on_commit_callbacks(execute=True):
        assert relay.relay_pending(grace=relay.datetime.timedelta(0)) >= 1
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.READY
    assert not PendingTask.objects.exists()


def test_only_a_failed_or_stalled_bundle_can_be_tried_again(
    settings, case, caseworker, django_capture_on_commit_callbacks
):
    bundle = prepare(case, caseworker, django_capture_on_commit_callbacks)
    with pytest.raises(RuleViolation) as caught:
        bundles.bundle_retry(bundle=bundle, actor=caseworker)
    assert caught.value.message == bundle_messages.NOT_RETRYABLE

    started = timezone.now() - dt.timedelta(seconds=settings.Q_CLUSTER["timeout"] + 60)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.RENDERING, file="", sha256="", started_at=started
    )
    bundle.refresh_from_db()
    assert bundles.bundle_stalled(bundle)
    with django_capture_on_commit_callbacks(execute=True):
        bundles.bundle_retry(bundle=bundle, actor=caseworker)
    bundle.refresh_from_db()
    assert (bundle.status, bundle.generation) == (BundleStatus.READY, 2)


# Progress ----------------------------------------------------------------------


def test_progress_is_saved_at_the_start_and_end_and_throttled_between(
    case, caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        bundle = bundles.bundle_prepare(subject_case=case, actor=caseworker)
    Bundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.RENDERING)
    writer = bundles.ProgressWriter(bundle.pk, bundle.generation, seconds=3600)

    def progress():
        return Bundle.objects.values_list("progress_done", "progress_total").get(pk=bundle.pk)

    writer(0, 120)
    assert progress() == (0, 120)
    writer(50, 120)
    assert progress() == (0, 120)  # within the interval: not written
    writer(120, 120)
    assert progress() == (120, 120)
    # A writer for an earlier generation never touches the bundle.
    bundles.ProgressWriter(bundle.pk, bundle.generation - 1, seconds=0)(3, 120)
    assert progress() == (120, 120)
