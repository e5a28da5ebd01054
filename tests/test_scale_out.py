"""Kyoso on more than one machine: two web processes and two workers on one PostgreSQL and one
Redis, as several ``web`` and ``worker`` containers run (docs/deploy.md).

Two ``gunicorn`` processes and two ``celery -A consortium worker`` processes are started as
subprocesses on the test database (``transaction=True``: what the test writes is committed and
they see it) and on ``REDIS_URL``. Staff sessions, stored in the database, are used through both
web processes. Forty attendance ticks and full recomputes are sent at once, split across both;
each tick queues its meeting's incremental roll-up, which either worker may run while the other
runs another meeting's or a full roll-up of the same year. Once the queue is empty and every year
idle, each year's report rows must be those of a full roll-up of the stored attendance.

The test empties the Redis database of ``REDIS_URL`` before and after it (the reports tests clear
the cache there too): give it a database of its own when you run it by hand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from events.models import Attendance
from members.models import Sector
from reports import services
from reports.models import RollupState
from tests.factories import PersonFactory, StudyGroupFactory, administrator_user, staff_user
from tests.reports.factories import AttendanceFactory, MeetingFactory, ProjectFactory, organisation
from tests.reports.realworker import (
    ROOT,
    database_url,
    report,
    require_postgres_and_redis,
    wait_for,
)
from tests.reports.test_incremental import attendees, attendees_recounted, recomputed, stored

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

YEARS = (2023, 2024)
EDITS = 36
RECOMPUTES = 4  # administrators asking for a full roll-up of every year in the middle of it
STATUSES = ("attended", "absent", "excused", "clear")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    """A subprocess in its own session (so that it and its children are stopped together),
    with its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log = log_dir / f"{name}.log"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self, tail: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-tail:] if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM to the whole group; SIGKILL whatever is left after a few seconds."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # nothing left
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def _request(port: int, method: str, path: str, cookies: dict[str, str], **kwargs):
    """One HTTP request, redirects not followed; returns (status, headers, body)."""
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    headers.update(kwargs.get("headers", {}))
    body = None
    if "data" in kwargs:
        body = urlencode(kwargs["data"])
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.msg, response.read()
    finally:
        conn.close()


def _answers(port: int) -> bool:
    try:
        return _request(port, "GET", "/accounts/login/", {})[0] == 200
    except OSError:
        return False


def _consumers(client) -> int:
    """How many connections wait on a queue of the Redis database ``client`` uses."""
    db = str(client.connection_pool.connection_kwargs.get("db", 0))
    return sum(1 for c in client.client_list() if c.get("db") == db and c.get("cmd") == "brpop")


def _signed_in(user) -> dict[str, str]:
    """The cookies of a session stored in the database, as after signing in."""
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def _with_csrf(port: int, path: str, cookies: dict[str, str]) -> dict[str, str]:
    """Open a page as the session's user; returns its cookies plus the CSRF cookie it set."""
    status, headers, _body = _request(port, "GET", path, cookies)
    assert status == 200, f"GET {path} on :{port} answered {status}"
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {**cookies, settings.CSRF_COOKIE_NAME: jar[settings.CSRF_COOKIE_NAME].value}


@pytest.fixture
def redis_db():
    require_postgres_and_redis()
    import redis

    url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    client.flushdb()
    yield url, client
    client.flushdb()
    client.close()


@pytest.fixture
def cluster(redis_db, tmp_path):
    """Two gunicorn processes and two Celery workers on the test database and ``REDIS_URL``;
    returns the web ports and the services. Everything is stopped afterwards."""
    url, client = redis_db
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "KYOSO_TEST_")) and key != "CACHE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="consortium.settings",
        DATABASE_URL=database_url(),
        REDIS_URL=url,
        CELERY_BROKER_URL=url,
        CACHE_URL=url,
        DEBUG="true",  # plain HTTP, no HTTPS redirect
        KYOSO_REQUIRE_MFA="false",
        SECRET_KEY=settings.SECRET_KEY,  # the sessions and CSRF tokens made here must be valid
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="INFO",
        LOG_FORMAT="plain",
        PYTHONUNBUFFERED="1",
    )
    ports = [_free_port(), _free_port()]
    services_started: list[Service] = []
    started = time.monotonic()
    try:
        for n, port in enumerate(ports, start=1):
            command = [sys.executable, "-m", "gunicorn", "consortium.wsgi:application"]
            command += [f"--bind=127.0.0.1:{port}", "--workers=1", "--threads=4", "--timeout=60"]
            services_started.append(Service(f"web{n}", command, env, tmp_path))
        for n in (1, 2):
            command = [sys.executable, "-m", "celery", "-A", "consortium", "worker"]
            command += ["--pool=prefork", "--concurrency=1", "--loglevel=INFO", "-n", f"w{n}@%h"]
            services_started.append(Service(f"w{n}", command, env, tmp_path))
        webs, workers = services_started[:2], services_started[2:]
        for web, port in zip(webs, ports, strict=True):
            up = wait_for(lambda w=web, p=port: not w.alive() or _answers(p), timeout=45, step=0.2)
            assert up and web.alive(), f"{web.name} did not start:\n{web.log_text()}"
        # A worker is ready when it waits on the queue (BRPOP on this Redis database); its log
        # format is not something to rely on.
        up = wait_for(
            lambda: not all(w.alive() for w in workers) or _consumers(client) >= len(workers),
            timeout=45,
            step=0.2,
        )
        logs = "\n".join(f"--- {w.name}\n{w.log_text()}" for w in workers)
        assert up and all(w.alive() for w in workers), f"the workers did not start:\n{logs}"
        yield ports, services_started, time.monotonic() - started
    finally:
        for service in services_started:
            service.stop()


@pytest.fixture
def two_years():
    """Four held meetings in FY2023 and FY2024 (subcommittees, their parent, a project's meeting
    without a study group), ten people of seven kinds of organisation, a few marks already
    recorded, and both years rolled up."""
    parent = StudyGroupFactory(name="海洋エネルギー研究会", order=1)
    s1 = StudyGroupFactory(name="第1部会", parent=parent, order=1)
    s2 = StudyGroupFactory(name="第2部会", parent=parent, order=2)
    orgs = [
        organisation("市内A社"),
        organisation("市内B社"),
        organisation("市外C社", local=False),
        organisation("東京大学生産技術研究所", Sector.UNIVERSITY),
        organisation("平塚市", Sector.GOVERNMENT),
        organisation("湘南信用金庫", Sector.FINANCIAL),
        organisation("平塚漁業協同組合", Sector.ASSOCIATION),
    ]
    people = [PersonFactory(organisation=orgs[n % len(orgs)]) for n in range(10)]
    meetings = [
        MeetingFactory(study_group=s1, date=dt.date(2023, 6, 10)),
        MeetingFactory(study_group=s2, date=dt.date(2023, 11, 5), unnamed_headcount=3),
        MeetingFactory(study_group=parent, date=dt.date(2024, 5, 20)),
        MeetingFactory(
            study_group=None,
            project=ProjectFactory(name="波力発電の実証事業"),
            date=dt.date(2024, 9, 1),
            unnamed_headcount=4,
        ),
    ]
    for meeting, person in [(0, 0), (0, 3), (1, 1), (2, 4), (2, 5), (3, 6)]:
        AttendanceFactory(meeting=meetings[meeting], person=people[person])
    assert services.rollup_all_compute() == list(YEARS)
    return meetings, people


def _requests(meetings, people, staff_cookies, admin_cookies):
    """The forty POSTs: (session cookies, path, data, htmx). The first five all mark the same
    person at the same meeting; the rest are drawn (fixed seed) from every meeting and person,
    so that the same person is marked more than once; a few ask for a full recompute."""
    draw = random.Random(14)
    requests = []
    for n in range(EDITS):
        if n < 5:
            meeting, person = meetings[0], people[0]
        else:
            meeting, person = draw.choice(meetings), draw.choice(people)
        data = {"person": person.pk, "status": STATUSES[n % len(STATUSES)]}
        if n % 3 == 0:
            data["seen"] = ""  # drawn before anything was recorded: may meet a conflict
        path = reverse("events:attendance_sheet", args=[meeting.pk])
        requests.append((staff_cookies[n % 2], path, data, n % 2 == 0))
    for n in range(RECOMPUTES):
        requests.insert(9 * (n + 1), (admin_cookies, reverse("reports:recompute"), {}, False))
    return requests


def _send_together(ports, requests) -> list[tuple[int, str]]:
    """Every request in its own thread, released at once; request n goes to web process n % 2."""
    start = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def send(index: int) -> None:
        cookies, path, data, htmx = requests[index]
        headers = {"X-CSRFToken": cookies[settings.CSRF_COOKIE_NAME]}
        if htmx:
            headers["HX-Request"] = "true"
        start.wait()
        status, response_headers, _body = _request(
            ports[index % 2], "POST", path, cookies, headers=headers, data=data
        )
        answers[index] = (status, response_headers.get("Location", ""))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _settled(redis_client) -> bool:
    """Nothing queued or being worked on, every year idle, and the rows equal a full roll-up."""
    if redis_client.llen("celery") or redis_client.hlen("unacked"):
        return False
    states = dict(RollupState.objects.values_list("fiscal_year", "state"))
    if any(states.get(year) != RollupState.State.IDLE for year in YEARS):
        return False
    return all(
        stored(year) == recomputed(year) and attendees(year) == attendees_recounted(year)
        for year in YEARS
    )


def test_two_web_processes_and_two_workers_leave_the_report_tables_equal_to_a_full_rollup(
    two_years, redis_db, cluster, capsys, record_property
):
    meetings, people = two_years
    _url, redis_client = redis_db
    ports, started, startup_seconds = cluster
    report(capsys, record_property, "scale_out_two_web_two_workers_startup_s", startup_seconds)
    sheet = reverse("events:attendance_sheet", args=[meetings[0].pk])
    # Each session opens a page on one web process and is then used on both.
    staff_cookies = [
        _with_csrf(ports[n], sheet, _signed_in(staff_user(username=f"staff{n}"))) for n in (0, 1)
    ]
    admin_cookies = _with_csrf(
        ports[1], reverse("reports:status"), _signed_in(administrator_user(username="admin"))
    )
    requests = _requests(meetings, people, staff_cookies, admin_cookies)
    before = {year: stored(year) for year in YEARS}

    sent_at = time.monotonic()
    answers = _send_together(ports, requests)
    report(capsys, record_property, "scale_out_40_concurrent_posts_s", time.monotonic() - sent_at)
    expected = []
    for _cookies, path, _data, htmx in requests:
        if path == reverse("reports:recompute"):
            expected.append((302, reverse("reports:status")))
        else:
            expected.append((200, "") if htmx else (302, path))
    got = [(status, location.split("#")[0]) for status, location in answers]
    assert got == expected, "\n".join(f"--- {s.name}\n{s.log_text()}" for s in started[:2])
    assert Attendance.objects.filter(meeting=meetings[0], person=people[0]).count() <= 1

    settled_at = time.monotonic()
    settled = wait_for(lambda: _settled(redis_client), timeout=60, step=0.25)
    report(capsys, record_property, "scale_out_queue_drained_s", time.monotonic() - settled_at)
    logs = "\n".join(f"--- {s.name}\n{s.log_text()}" for s in started)
    assert all(s.alive() for s in started), logs
    assert redis_client.llen("celery") == 0, logs
    states = dict(RollupState.objects.values_list("fiscal_year", "state"))
    assert {year: states.get(year) for year in YEARS} == dict.fromkeys(YEARS, "idle"), logs
    for year in YEARS:
        assert stored(year) == recomputed(year), f"FY{year}\n{logs}"
        assert attendees(year) == attendees_recounted(year), f"FY{year}\n{logs}"
    assert settled
    assert before != {year: stored(year) for year in YEARS}, "the edits changed no report row"
    ran = {
        worker.name: len(re.findall(r"Task reports\.\S+ succeeded", worker.log_text(tail=10**7)))
        for worker in started[2:]
    }
    with capsys.disabled():
        print(f"[timing] scale_out_tasks_succeeded_per_worker: {ran}")
