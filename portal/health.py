"""What the health endpoints check: the database, the queue's broker and the
workers' heartbeat. Each check answers True or False and never raises: the
reason goes to the log (without secrets), never into the response.

The heartbeat is django-q2's own: every running ``qcluster`` rewrites its
status every half second with a lifetime of three seconds (``Stat``), in Redis
with the Redis broker and in the cache (the database table) with the ORM
broker. A cluster that has stopped or died is gone from the list within
seconds, whichever broker is in use.
"""

import logging

import redis
from django.conf import settings
from django.db import connection
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.status import Stat

logger = logging.getLogger(__name__)

# A cluster in one of these states is taking tasks (or about to).
RUNNING_STATES = {Conf.STARTING, Conf.IDLE, Conf.WORKING}
# Seconds the checks wait for Redis before calling it unreachable.
REDIS_TIMEOUT = 2


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means "unavailable"
        logger.warning("Health: the database is unavailable (%s).", type(error).__name__)
        return False
    return True


def broker_ok() -> bool:
    """Redis answers a ping (Redis broker), or the queue table can be read
    (ORM broker)."""
    try:
        if settings.REDIS_URL:
            client = redis.Redis.from_url(
                settings.REDIS_URL,
                socket_connect_timeout=REDIS_TIMEOUT,
                socket_timeout=REDIS_TIMEOUT,
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            OrmQ.objects.using(Conf.ORM).exists()
    except Exception as error:  # noqa: BLE001 - any failure means "unavailable"
        logger.warning("Health: the queue broker is unavailable (%s).", type(error).__name__)
        return False
    return True


def running_clusters() -> int:
    """How many ``qcluster`` processes have a fresh heartbeat and are running
    (0 if it cannot be read)."""
    try:
        stats = Stat.get_all(broker=get_broker())
    except Exception as error:  # noqa: BLE001 - unreadable means "no worker seen"
        logger.warning("Health: the workers' heartbeat cannot be read (%s).", type(error).__name__)
        return 0
    return sum(1 for stat in stats if stat.status in RUNNING_STATES)
