"""The endpoint names the load test reports and compares (shared by the
locustfile and the runner, which must not import locust)."""

FLOOR = "bare view (floor)"
# The signed-in parent pages whose p95 is compared with the floor's.
PARENT_PAGES = (
    "my requests",
    "a request",
    "your appointments",
    "book: which day",
    "book: what time",
    "book: check",
)
