"""Every message the bundle functions show: to the person acting (raised as
``sar.exceptions`` errors), to staff as the reason a bundle failed (never a
record's words), and to the parent about their download. Tests assert on
these constants."""

# Messages for the person acting (tests assert on these).
NOT_CASEWORKER = "Only caseworkers can prepare a bundle."
NOT_DOWNLOAD_STAFF = "Only caseworkers and approvers can change the parent's download."
NOT_PREPARABLE = (
    "A bundle can only be prepared while the case is in review, awaiting approval or "
    "approved. This case is “{status}”."
)
NO_RECORDS = "No records are chosen for this case. Choose the records before preparing the bundle."
UNDECIDED_ONE = (
    "{count} suggested redaction still needs a decision. Accept or reject it before "
    "preparing the bundle."
)
UNDECIDED_MANY = (
    "{count} suggested redactions still need a decision. Accept or reject each of them "
    "before preparing the bundle."
)
NOT_RETRYABLE = "Only a bundle that failed, or stopped part-way, can be tried again."
REOPEN_REASON = "The bundle is being prepared again."
REVOKE_REASON_REQUIRED = "Enter why the download is being revoked."
NOT_RELEASABLE = (
    "The parent's download can only be changed once the bundle is ready and the case "
    "is approved or released."
)
ALREADY_REVOKED = "The download has already been revoked."
FILE_DAMAGED = (
    "The bundle's file does not match the file that was prepared, so it cannot be opened. "
    "Prepare the bundle again, and tell the service's administrator."
)

# Why a bundle failed, for the staff screen: never a record's words.
FAILED_NO_RECORDS = "No records were in scope when the bundle was built. Choose the records first."
FAILED_UNDECIDED = (
    "Some suggested redactions still needed a decision when the bundle was built "
    "(perhaps records were added). Decide them and prepare the bundle again."
)
FAILED_CHANGED = (
    "The records in scope, or a decision to withhold one, changed while the bundle was "
    "being built. Prepare the bundle again."
)
FAILED_RENDER = (
    "The PDF could not be made. Try again; if it fails again, tell the service's administrator."
)
FAILED_UNEXPECTED = (
    "Something went wrong while the bundle was prepared. Try again; if it fails again, "
    "tell the service's administrator."
)
FAILED_ATTEMPTS = (
    "The bundle stopped part-way {attempts} times (perhaps a worker ran out of memory). "
    "Try again; if it happens again, tell the service's administrator."
)

# Staff timeline entry and audit reason when a preparation starts again after
# an attempt that stopped part-way (never shown to the parent).
RESTARTED = (
    "The bundle stopped part-way (its worker was stopped before it finished) and was "
    "started again: attempt {attempt} of {most}."
)
RESTARTED_REASON = "An earlier attempt stopped part-way."

# The parent's words for a download that is not (or no longer) there.
EXPIRED_MESSAGE = "This download has expired. Contact us to ask for it again."
NO_LONGER_MESSAGE = "This download is no longer available. Contact us if you need your records."
# Staff timeline entries (never shown to the parent).
RELEASED_BY_DOWNLOAD = "The requester downloaded the records."
AVAILABLE_AGAIN_MESSAGE = "Your records are available to download again until {date}."
