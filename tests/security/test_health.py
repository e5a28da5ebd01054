"""The health URL (consortium/health.py): open to anybody, 200 while the database, the cache and
the broker answer, 503 when one does not — and never the reason, which names hosts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"
SECRET_DETAIL = "db-7.internal.city.example.jp"


def _tolerant_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "consortium.cache.TolerantRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_health_answers_anybody_with_the_status_of_each_service(client, settings):
    settings.CELERY_BROKER_URL = "memory://localhost/"  # no broker to check (eager Celery)
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a running Redis (REDIS_URL)")
def test_health_checks_the_broker_when_there_is_one(client, settings):
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_health_is_503_while_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "unavailable"}
    assert "127.0.0.1" not in response.content.decode()


def test_health_is_503_while_the_cache_is_down(client, settings):
    """The tolerant cache keeps pages working without Redis; the health URL still tells."""
    settings.CELERY_BROKER_URL = "memory://localhost/"
    settings.CACHES = _tolerant_cache(DEAD_REDIS)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


def test_health_is_503_while_the_database_is_down_and_does_not_say_why(
    client, settings, monkeypatch
):
    """The check opens a connection of its own: the one that fails, with a message that names
    the database host."""

    def refuse(self, conn_params):
        raise OperationalError(f'connection to server at "{SECRET_DETAIL}" failed')

    settings.CELERY_BROKER_URL = "memory://localhost/"
    wrapper_class = type(connections["default"])
    assert issubclass(wrapper_class, BaseDatabaseWrapper)
    monkeypatch.setattr(wrapper_class, "get_new_connection", refuse)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "cache": "ok"}
    assert SECRET_DETAIL not in response.content.decode()


def test_health_refuses_other_methods(client):
    assert client.post(reverse("health")).status_code == 405


HEALTHCHECK = Path(__file__).resolve().parents[2] / "deploy" / "healthcheck.py"


def _container_healthcheck(live_server) -> subprocess.CompletedProcess:
    address = live_server.url.removeprefix("http://")
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), address],
        env={**os.environ, "ALLOWED_HOSTS": ".kyoso.example.jp,localhost"},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_container_healthcheck_passes_while_the_services_answer(live_server, settings):
    settings.CELERY_BROKER_URL = "memory://localhost/"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "kyoso.example.jp"]
    result = _container_healthcheck(live_server)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"database": "ok", "cache": "ok"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_container_healthcheck_fails_while_the_broker_is_down(live_server, settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "kyoso.example.jp"]
    result = _container_healthcheck(live_server)
    assert result.returncode == 1
    assert result.stderr.startswith("503")
