"""What the right-of-access domain raises. Every message is written for a person
(the view shows it in the GOV.UK error summary or the admin's message bar) and
is a module constant that tests assert on (``sar.workflow.messages``,
``sar.deadlines``, ``sar.consent``)."""


class SarError(Exception):
    """Base class: ``message`` is safe to show to the person who acted."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidTransition(SarError):
    """The case (or request) is not in a state this step can be taken from."""


class NotPermitted(SarError):
    """The person acting may not take this step (wrong role, not their request,
    or approving their own work)."""


class RuleViolation(SarError):
    """The step is allowed in principle but a rule stops it now (consent not
    recorded, reason missing, a date in the future, ...)."""


class ExtensionNotAllowed(RuleViolation):
    """The time to respond cannot be extended as asked."""
