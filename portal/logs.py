"""Structured logs: one JSON object a line, with no personal data.

Every line carries the request id of the request it was written in (from the
reverse proxy's ``X-Request-ID`` when it sends a well-formed one, otherwise a
new one), so the lines of one request can be found together. The request log
(``RequestLogMiddleware``, logger ``portal.request``) is the access log: one
line per request with the method, the path without its query string, the
status and the duration. It never holds a client address, a user agent, a
user, a query string or a form field.

The JSON formatter writes only the fields named in ``FIELDS`` and
``EXTRA_FIELDS``: anything else a library attaches to a record (Django's
``django.request`` logger attaches the whole request, whose text holds the
query string) is dropped rather than written out.
"""

import contextvars
import logging
import re
import time
import uuid

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only when it looks like one: never a place to smuggle
# text (or a newline) into the logs.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{8,64}")
MAX_PATH_LENGTH = 300

# Extra fields a record may carry into the JSON line; everything else is left out.
EXTRA_FIELDS = frozenset({"method", "path", "status", "duration_ms", "task", "component"})


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's formatter writing a fixed set of fields:
    ``time``, ``level``, ``logger``, ``message``, ``request_id``, the allowed
    extras and, for errors, the traceback."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        for key in list(log_data):
            if key not in {"time", "level", "logger", "message", "exc_info", "stack_info"} | (
                EXTRA_FIELDS
            ):
                del log_data[key]
        log_data["request_id"] = request_id_var.get()


def _request_id(request) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if REQUEST_ID_PATTERN.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """The access log: one JSON line per request, and the request id.

    First in ``MIDDLEWARE`` so that it times everything, static files served
    by WhiteNoise included, and sees the final status.
    """

    logger = logging.getLogger("portal.request")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _request_id(request)
        # Cleared when the response is closed (``clear_request_id``), not here:
        # Django logs a 4xx or 5xx after the middleware has returned.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        self.logger.info(
            "request",
            extra={
                "method": request.method,
                # The path only: query strings can hold anything a person typed.
                "path": request.path[:MAX_PATH_LENGTH],
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


def clear_request_id(**kwargs):
    """``request_finished`` receiver: what is logged after a request (in the
    same thread) carries no id rather than the last request's."""
    request_id_var.set(None)
