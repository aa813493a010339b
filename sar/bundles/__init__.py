"""Release bundles: the redacted PDF a parent receives for one subject case.

A caseworker asks for the bundle (``bundle_prepare``): the one ``Bundle`` row
of the case is created or reset (its ``generation`` counts the preparations)
and a django-q2 task is queued once the transaction commits
(``sar.tasks.prepare_bundle_task``). The task (``bundle_run``) claims the
bundle, builds the PDF from the records in scope with every accepted redaction
applied (``build_bundle_pdf``: redacted words are gone before any HTML is
built), stores it encrypted with its SHA-256, and only then marks it ready.
A task for an earlier generation, or delivered twice, does nothing.

Preparing again voids an approval (``sar.workflow.case_reopen``). An approved
bundle can be downloaded by the requester (``bundle_download``) after a fresh
second-factor check, until ``available_until`` or until staff revoke it
(``bundle_revoke``, ``bundle_make_available``). Every read of the PDF, by
staff or the parent, is an audit event; audit ``data`` and the failure
reasons shown to staff never hold a record's words.

One module a concern: ``prepare`` (asking for a bundle), ``run`` (the task's
work), ``build`` (the PDF), ``recover`` (resuming a bundle whose worker
stopped part-way, every minute), ``release`` (downloads, and staff opening,
revoking and renewing them), ``messages`` (every message, for tests to
assert on) and ``events`` (what audit events carry). Import from here.
"""

from sar.bundles import messages
from sar.bundles.build import (
    BuiltBundle,
    BundleFailure,
    build_bundle_pdf,
    front_matter,
    header_text,
    record_html,
    service_details,
)
from sar.bundles.events import PARENT_DOWNLOAD_PURPOSE, STAFF_VIEW_PURPOSE
from sar.bundles.prepare import (
    PREPARABLE,
    TASK,
    bundle_prepare,
    bundle_retry,
    bundle_stalled,
    task_name,
    undecided_message,
)
from sar.bundles.recover import bundle_files_remove_orphans, bundles_resume_stalled
from sar.bundles.release import (
    DOWNLOADABLE,
    Download,
    DownloadGone,
    DownloadState,
    ParentDownload,
    bundle_download,
    bundle_make_available,
    bundle_open_for_staff,
    bundle_revoke,
    download_filename,
    download_history,
    download_state,
    downloads_for_parent,
)
from sar.bundles.run import MAX_ATTEMPTS, Outcome, ProgressWriter, bundle_run

__all__ = [
    "DOWNLOADABLE",
    "MAX_ATTEMPTS",
    "PARENT_DOWNLOAD_PURPOSE",
    "PREPARABLE",
    "STAFF_VIEW_PURPOSE",
    "TASK",
    "BuiltBundle",
    "BundleFailure",
    "Download",
    "DownloadGone",
    "DownloadState",
    "Outcome",
    "ParentDownload",
    "ProgressWriter",
    "build_bundle_pdf",
    "bundle_files_remove_orphans",
    "bundle_download",
    "bundle_make_available",
    "bundle_open_for_staff",
    "bundle_prepare",
    "bundle_retry",
    "bundle_revoke",
    "bundle_run",
    "bundle_stalled",
    "bundles_resume_stalled",
    "download_filename",
    "download_history",
    "download_state",
    "downloads_for_parent",
    "messages",
    "front_matter",
    "header_text",
    "record_html",
    "service_details",
    "task_name",
    "undecided_message",
]
