"""A real Celery worker in a subprocess, for the tests that kill it or take its broker away.

The worker runs ``tests.reports.worker_app`` (Kyoso's app) on the test database of the running
test (``transactional_db``: what the test writes is committed and the worker sees it) and on the
broker given. It is a session leader, so a test can SIGKILL the whole worker, parent and pool
children at once, as a crashed machine or ``docker kill`` would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def require_postgres_and_redis() -> None:
    """Skip, saying why, where a worker in another process cannot share the test database."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL (a real broker)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a worker in another process cannot see SQLite in memory")


def database_url() -> str:
    """The URL of the test database pytest-django created (``test_<name>``)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition: Callable[[], object], timeout: float, step: float = 0.1):
    """Poll until ``condition()`` is truthy; returns it, or None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


class Worker:
    """``celery -A tests.reports.worker_app worker`` with one pool child."""

    def __init__(self, tmp_path: Path, *, broker_url: str, pause: float = 0.0, **env: str):
        self.tmp_path = tmp_path
        self.broker_url = broker_url
        self.pause = pause
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = tmp_path / "worker.log"

    def start(self, timeout: float = 30.0) -> float:
        """Start the worker and wait until it consumes; returns the seconds that took."""
        ready = self.tmp_path / f"ready-{uuid.uuid4().hex}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "consortium.test_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.broker_url,
            "KYOSO_TEST_ROLLUP_PAUSE": str(self.pause),
            "KYOSO_TEST_READY_FILE": str(ready),
            **self.env,
        }
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "tests.reports.worker_app",
                    "worker",
                    "--pool=prefork",
                    "--concurrency=1",
                    "--loglevel=INFO",
                    "-n",
                    f"kyoso-test-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_for(lambda: ready.exists() or not self.alive(), timeout) or not self.alive():
            self.stop()
            pytest.fail(f"the worker did not start:\n{self.log_text()}")
        return time.monotonic() - started

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pool_children(self) -> list[int]:
        """The pids of the worker's pool processes (children of the main process)."""
        assert self.process is not None
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended while we looked
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill(self) -> None:
        """SIGKILL the main process and its pool children at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown; SIGKILL whatever is left after a few seconds."""
        if self.process is None:
            return
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # nothing left
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def purge_broker(url: str) -> None:
    """Drop the messages and unacknowledged deliveries an earlier run left in this Redis db."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    keys = [b"celery", b"unacked", b"unacked_index", b"unacked_mutex"]
    keys += list(client.scan_iter(match="_kombu.binding.*"))
    client.delete(*keys)
    client.close()


def use_broker(url: str) -> None:
    """Point this process's Celery app at ``url`` (new connections, no eager mode)."""
    from consortium.celery import app
    from reports import broker

    app.conf.update(broker_url=url, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    broker.forget()


def report(capsys, record_property, name: str, seconds: float) -> None:
    """Put a measured time in the test output (even without -s) and in the JUnit report."""
    record_property(name, f"{seconds:.1f}")
    with capsys.disabled():
        print(f"\n[timing] {name}: {seconds:.1f} s")
