"""Every message the workflow raises, for the person who acted to read (the
views show them as they are). Tests assert on these constants."""

# Who may act
NOT_PERMITTED = "You do not have permission to take this step."
NOT_YOUR_REQUEST = "You can only do this for a request you made."
OWN_REQUEST = "You cannot work on a request you made yourself. Ask a colleague to do it."
APPROVER_IS_PREPARER = (
    "You submitted this case for approval, so a different approver must approve it."
)
APPROVER_PREPARED_BUNDLE = "You prepared this bundle, so a different approver must approve it."
ASSIGNEE_NOT_CASEWORKER = "Cases can only be assigned to a caseworker."
NO_SERVICE_CASE = (
    "The service has no case for this requester, so only this part of the request can be held."
)

# Where the case is ("You cannot release the records while the case is
# “In review (redaction)”.")
INVALID_TRANSITION = "You cannot {action} while the case is “{status}”."
REQUEST_FINISHED = (
    "Every part of this request has been answered, refused or withdrawn, so this "
    "step is no longer possible."
)
NO_CLARIFICATION_OUTSTANDING = "We have not asked you a question about this request."
CASE_FINISHED = "This case has been answered, refused or withdrawn, so it cannot be changed."

# What the step needs
REASON_REQUIRED = "Enter the reason. It is recorded with this step."
ANSWER_REQUIRED = "Enter your answer."
EVIDENCE_AFTER_WORK_STARTED = (
    "Evidence can only be asked for before work starts on any part of the request."
)
EVIDENCE_DATE_IN_FUTURE = "The date the evidence arrived cannot be in the future."
EVIDENCE_DATE_BEFORE_REQUEST = (
    "The date the evidence arrived cannot be before the request was received."
)
BUNDLE_NOT_READY = (
    "Prepare the bundle, and wait until it is ready, before submitting the case for approval."
)
BUNDLE_NOT_READY_TO_APPROVE = (
    "There is no ready bundle to approve. Send the case back for more work."
)
BUNDLE_OUT_OF_DATE = (
    "The records or redactions changed after the bundle was prepared. Prepare it again "
    "so that it shows them."
)
CLOCK_NOT_STARTED = (
    "The time to respond has not started yet (evidence is awaited), so it cannot be extended."
)

# Children and young people (ages on the day the request was received)
COMPETENCE_NOT_RECORDED = (
    "This child was 12 or over when the request was received. Record their "
    "competence and views before approving release to a parent."
)
CONSENT_NOT_RECORDED = (
    "This young person was 16 or over when the request was received. Record "
    "their consent before approving release to a parent."
)
CONSENT_REFUSED = (
    "The young person did not consent, so their records cannot be released to a parent."
)
COMPETENCE_NOTES_REQUIRED = "Enter the assessment of the child's competence."
NOT_ABOUT_A_CHILD = "This case is about the requester, not a child."
CONSENT_NOT_APPLICABLE = (
    "Consent is only recorded for a young person who was 16 or over when the request was received."
)

# Submitting a request
NO_SUBJECT = "Select who the request is about."
CHILD_NOT_YOURS = "Select a child from your account."
CHILD_REPEATED = "Each child can only be included once."
SCOPE_INVALID = "Select whether you want everything or specific records."
SCOPE_DETAIL_REQUIRED = "Enter the dates or topics of the records you want."
SCOPE_DETAIL_FOR_EVERYTHING = "Dates and topics are only given when asking for specific records."
DATE_RANGE_REVERSED = "The 'from' date must be the same as or before the 'to' date."
DELIVERY_INVALID = "Select how you want to receive your records."
ADJUSTMENT_INVALID = "Select adjustments from the list."
INTERPRETER_LANGUAGE_REQUIRED = "Enter the language you need an interpreter for."
ADJUSTMENT_OTHER_REQUIRED = "Enter the adjustment you need."
CODE_NOT_ACKNOWLEDGED = "Confirm that you have read the confidentiality code."
RECEIVED_IN_FUTURE = "A request cannot be received in the future."

# Words the parent reads in their timeline when approved records are taken
# back (the bundle is being prepared again).
RECORDS_UPDATING = (
    "We are making a change to the copy of your records. We will tell you when it is ready."
)

# Words the parent reads in their timeline (and, for a refusal, the rights text
# the notice must carry: UK GDPR Art. 12(4)).
RIGHTS_TEXT = (
    "You have the right to complain to the Information Commissioner's Office (ICO), "
    "the UK's independent regulator for data protection: "
    "https://ico.org.uk/make-a-complaint/ or 0303 123 1113. "
    "You also have the right to ask a court to order us to comply with your request "
    "(a judicial remedy)."
)
