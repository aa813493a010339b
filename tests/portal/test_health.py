"""The health endpoints: /health/ for load balancers (the database only, so a
queue outage never takes the web out of service) and /health/service/ for
monitoring (the database, the broker and the workers' heartbeat), 503 naming
what is failing and never how."""

import socket
import time

import pytest
from django.db import OperationalError
from django.test import Client
from django_q.conf import Conf

from tests.cluster import running_cluster

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_down(monkeypatch):
    class Broken:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("portal.health.connection", Broken())


def test_health_for_load_balancers_is_200_without_workers():
    response = Client().get("/health/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_for_load_balancers_is_503_when_the_database_is_down(database_down):
    response = Client().get("/health/")

    assert response.status_code == 503
    assert response.json() == {"database": "unavailable"}


def test_service_health_names_the_workers_when_none_is_running():
    response = Client().get("/health/service/")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "broker": "ok",
        "workers": "unavailable",
        "clusters": 0,
        "failing": ["workers"],
    }


def test_service_health_names_the_broker_without_saying_where_it_is(settings):
    port = _closed_port()
    settings.REDIS_URL = f"redis://:s3cret-password@127.0.0.1:{port}/0"

    response = Client().get("/health/service/")

    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "unavailable"
    assert body["workers"] == "unknown"
    assert body["failing"] == ["broker", "workers"]
    text = response.content.decode()
    assert "s3cret" not in text and str(port) not in text


def test_service_health_names_the_database(database_down):
    response = Client().get("/health/service/")

    assert response.status_code == 503
    assert response.json()["failing"][0] == "database"


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_service_health_is_200_while_a_cluster_runs_and_503_once_it_stops(tmp_path, monkeypatch):
    with running_cluster(tmp_path) as cluster:
        # The heartbeat's key is derived from the cluster's name once, at import.
        monkeypatch.setattr(Conf, "Q_STAT", f"django_q:{Conf.PREFIX}:cluster")
        body = _wait_for_status(200, cluster)
        assert body == {
            "status": "ok",
            "database": "ok",
            "broker": "ok",
            "workers": "ok",
            "clusters": 1,
        }
    # Stopped: its heartbeat lapses within seconds.
    body = _wait_for_status(503, cluster)
    assert body["failing"] == ["workers"]


def _wait_for_status(status: int, cluster, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = Client().get("/health/service/")
        if response.status_code == status:
            return response.json()
        time.sleep(0.5)
    raise AssertionError(f"no {status} within {seconds}s; qcluster log:\n{cluster.log_text()}")
