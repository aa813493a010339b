"""django-q2 entry points of the right of access: thin, they take ids and call
the domain function, which is idempotent (``sar.bundles.bundle_run``)."""

from sar import bundles


def prepare_bundle_task(bundle_id: int, generation: int) -> str:
    """Build generation ``generation`` of bundle ``bundle_id``. Returns the
    outcome ("ready", "failed" or "skipped"); a failure is recorded on the
    bundle, not raised, so the queue never retries a render that would fail
    the same way again."""
    return str(bundles.bundle_run(bundle_id=bundle_id, generation=generation))


def recover_bundles_task() -> dict:
    """Every minute (a schedule): queue again the bundles whose worker stopped
    part-way, and delete bundle files no bundle names (``sar.bundles.recover``)."""
    return {
        "resumed": bundles.bundles_resume_stalled(),
        "files_removed": bundles.bundle_files_remove_orphans(),
    }
