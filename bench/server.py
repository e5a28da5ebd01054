"""A gunicorn (gthread) server on the loopback for the HTTP measures, and signed-in cookies.

The server runs the production path (DEBUG off, whitenoise without a manifest so no
collectstatic is needed, a Redis cache shared by its workers when one is running) against the
same database as the bench process, and is always stopped by the context manager.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


BENCH_CACHE_URL = "redis://127.0.0.1:6379/14"


def cache_url() -> str:
    """The cache the web processes share, as in production (Redis): ``CACHE_URL`` when set,
    else a local Redis if one answers (database 14), else none (each worker its own memory)."""
    if os.environ.get("CACHE_URL"):
        return os.environ["CACHE_URL"]
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), 0.5):
        return BENCH_CACHE_URL
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def peak_rss_kb(pid: int) -> int:
    """VmHWM: the process's peak resident set size, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def gunicorn(
    *, workers: int = 2, threads: int = 4, timeout: int = 120, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """``env``: more environment for the server (e.g. a Celery broker of its own)."""
    extra = env or {}
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATICFILES_BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
        "DJANGO_SETTINGS_MODULE": "consortium.settings",
        "CACHE_URL": cache_url(),
        **extra,
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "consortium.wsgi",
        f"--bind={HOST}:{port}",
        "--worker-class=gthread",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--timeout={timeout}",
        "--log-level=warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        server = Server(process=process, port=port)
        while len(server.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def session_cookie(username: str) -> str:
    """A ``name=value`` cookie of a signed-in session for ``username`` (no password needed)."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"
