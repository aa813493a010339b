"""The endpoint names the load test reports and compares (shared by the
locustfile and the runner, which must not import locust)."""

# The bare view (LOAD_TEST's /load-test/floor/: the whole middleware, no query
# of its own, no template), as the signed-in parents request it: their
# session, account and second factor loaded, as for every parent page. The
# parent pages are compared with it.
FLOOR = "bare view (floor)"
# The same view requested by the anonymous visitors (nothing to load),
# reported for comparison.
FLOOR_ANONYMOUS = "bare view (anonymous)"
# The signed-in parent pages whose p95 is compared with the floor's.
PARENT_PAGES = (
    "my requests",
    "a request",
    "your appointments",
    "book: which day",
    "book: what time",
    "book: check",
)
