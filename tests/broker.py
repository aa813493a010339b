"""Broker outages for tests: the queue's broker pointed at a closed port, and
a private Redis server that a test can stop and start again (the shared one
is never touched).

``with broker_unreachable(): ...`` makes ``async_task`` fail as it does when
Redis is down (a connection refused), whichever broker the run uses.
``with private_redis() as redis_server: redis_server.stop(); redis_server.start()``
runs ``redis-server`` on a free loopback port (skipped where it is not installed).
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import redis
from django_q.conf import Conf


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def queue_on_redis(url: str) -> Iterator[None]:
    """Tasks this process queues go to Redis at ``url`` (not run in process)."""
    saved = (Conf.ORM, Conf.REDIS, Conf.SYNC)
    Conf.ORM, Conf.REDIS, Conf.SYNC = None, url, False
    try:
        yield
    finally:
        Conf.ORM, Conf.REDIS, Conf.SYNC = saved


@contextmanager
def broker_unreachable() -> Iterator[str]:
    """The broker is a Redis on a port where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    with queue_on_redis(url):
        yield url


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
