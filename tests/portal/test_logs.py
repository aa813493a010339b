"""The logs are JSON lines with the request's id and no personal data: the
request log (the access log) holds the path without its query string, and
nothing a library attaches to a record (Django attaches the whole request)
reaches the line."""

import io
import json
import logging

import pytest
from django.test import Client

from portal.logs import JsonFormatter
from tests.portal.accounts.factories import ParentFactory
from tests.sar.views.journey import verify

pytestmark = pytest.mark.django_db

EMAIL = "rowan.carer@example.org"


@pytest.fixture
def log_lines():
    """The JSON lines written while the test runs, through the same formatter
    the settings give the console handler."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _request_lines(lines):
    return [line for line in lines if line["logger"] == "portal.request"]


def test_a_request_is_one_json_line_without_the_query_string_or_the_email(log_lines):
    client = verify(Client(), ParentFactory(email=EMAIL, full_name="Rowan Ashworth"))

    response = client.get(f"/requests/?email={EMAIL}&name=Rowan+Ashworth")

    assert response.status_code == 200
    [line] = _request_lines(log_lines())
    assert line["message"] == "request"
    assert line["method"] == "GET"
    assert line["path"] == "/requests/"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "INFO"
    text = json.dumps(log_lines())
    for personal in (EMAIL, "rowan", "Rowan", "Ashworth", "?"):
        assert personal not in text


def test_djangos_not_found_warning_leaves_the_request_and_its_query_out(log_lines):
    response = Client().get("/no-such-page/?email=someone%40example.org")

    assert response.status_code == 404
    lines = log_lines()
    [warning] = [line for line in lines if line["logger"] == "django.request"]
    assert warning["message"] == "Not Found: /no-such-page/"
    assert warning["request_id"] == response["X-Request-ID"]
    assert "request" not in warning and "status_code" not in warning
    assert "example.org" not in json.dumps(lines)
    assert _request_lines(lines)[0]["status"] == 404


def test_the_proxys_request_id_is_kept_when_well_formed(log_lines):
    response = Client().get("/health/", headers={"X-Request-ID": "edge-7f3a9c2e11"})

    assert response["X-Request-ID"] == "edge-7f3a9c2e11"
    assert _request_lines(log_lines())[0]["request_id"] == "edge-7f3a9c2e11"


@pytest.mark.parametrize("offered", ["short", "x" * 65, "abc defghij", "abcdefgh\nfake line"])
def test_a_malformed_request_id_is_replaced(log_lines, offered):
    response = Client().get("/health/", headers={"X-Request-ID": offered})

    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32
    assert offered not in json.dumps(log_lines())


def test_an_error_keeps_its_traceback_and_allowed_fields_only():
    record = logging.LogRecord("portal.x", logging.ERROR, __file__, 1, "Failed", None, None)
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    record.status = 500
    record.email = EMAIL

    line = json.loads(JsonFormatter().format(record))

    assert line["status"] == 500
    assert "ValueError: boom" in line["exc_info"]
    assert "email" not in line and EMAIL not in json.dumps(line)
    assert set(line) >= {"time", "level", "logger", "message", "request_id"}
