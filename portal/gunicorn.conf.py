"""gunicorn's configuration for the portal in production.

    gunicorn -c portal/gunicorn.conf.py

serves ``portal.wsgi`` behind a reverse proxy that terminates TLS (set
BEHIND_PROXY=true for the portal, and FORWARDED_ALLOW_IPS to the proxy's
address when it is not on this machine). Every value can be set from the
environment; the defaults suit a small machine.

Logs: gunicorn's own messages are JSON lines on standard error, like the
portal's (``portal.logs``). gunicorn's access log is off because the portal's
request log is the access log: one JSON line a request with its id, method,
path without the query string, status and duration, and no client address
or user agent (personal data under UK GDPR).
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
proc_name = "portal-web"

# Processes: WEB_CONCURRENCY (gunicorn's usual variable) or 2 x cores + 1.
# GUNICORN_THREADS > 1 runs threads in each (the gthread worker).
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
# A request still running after this long is killed and logged: pages answer
# in well under a second; PDFs are rendered by the queue, not in a request.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a proxy that keeps connections open to us.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each process after a number of requests (with jitter, so they do
# not all restart at once): bounds any slow growth in memory.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# The application is imported once, in the master, and every worker is a fork
# of it: a recycled worker serves at once instead of importing Django and
# Wagtail again (a second or two of processor). Without it two workers
# sharing the traffic reach max_requests within seconds of each other and,
# on a small machine, the site stops answering while both boot (the load
# test saw every page wait five seconds). Importing the application opens no
# database connection and starts no thread (tests/portal/test_wsgi.py), so
# the workers share nothing but memory pages. A new release therefore needs
# a restart of gunicorn, not a HUP.
preload_app = True


def when_ready(server):
    """In the master, after the application is imported and before the first
    worker is forked: fill the caches every worker would fill on its first
    pages (portal.wsgi.warm_up), so the forks inherit them, then put all of
    it out of the garbage collector's reach (portal.wsgi.gc_freeze): without
    that, every full collection in a worker walks the whole of Django and
    Wagtail, over 250,000 objects and about 100 ms, in the middle of
    whichever request set it off."""
    from django.db import connections

    from portal.wsgi import gc_freeze, warm_up

    try:
        warm_up()
    except Exception:  # noqa: BLE001 - a cold cache is slower, never a reason not to serve
        server.log.warning("Warming up failed: each worker fills its caches itself.", exc_info=True)
    # Nothing above should connect; were it to, no fork may inherit the socket.
    connections.close_all()
    gc_freeze()


# Heartbeat files on tmpfs: a slow disk must not make gunicorn think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Limits on what a client may send before Django sees it.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
    "root": {"handlers": ["console"], "level": loglevel.upper()},
}
