"""受付 at 10 tablets at once: scan → marked → feedback (``python -m bench.checkin`` on its own).

A meeting of today is written with ``TABLETS × SCANS`` registered members (bulk, over the
database's people of approved organisations). Gunicorn (gthread, 2 workers × 4 threads, as the
load rows) serves the JSON check-in endpoint; ten client threads — one keep-alive connection each,
signed in as secretariat staff with the CSRF cookie and header a browser sends — post tickets,
all started together. Every first scan is the write (the meeting's lock, the registration, 出席
and its history, the counts) and its answer is what the tablet shows.

Two patterns of the ten tablets:

- **in step** (the row with the target): every tablet scans one ticket each ``PACE_S`` second,
  all ten at the same instant — ten check-ins of one meeting arriving together, every second,
  which is the concurrency of ten tablets, at a pace no queue at a door reaches (600 people a
  minute). The p95 is that of a scan that arrives with nine others.
- **back to back** (saturation, no target): each tablet posts its next ticket the moment the
  answer to the previous one arrives, i.e. the server's throughput on two CPUs; the latency is
  then the length of the queue, not the time a scan takes.

Then each ticket once more (「受付済み」, reads only). Reported: p50/p95/p99 of the first scans,
the second scans' p95, and whether every ticket was marked exactly once.

The meeting carries a marker (``TITLE_MARK``) and is deleted at the end, with its rows and their
history, also when the measure fails; the fiscal year's roll-up is then recomputed.

Two runs: with the roll-ups queued to Redis (``broker_url``; no worker needed, the queue is
emptied afterwards), as a deployment with its worker does — the row with the target —, and with
Celery eager (no broker), where the meeting's incremental roll-up runs inside each check-in
request after its commit.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import statistics
import threading
import time
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone

from .results import Figure

TABLETS = 10
SCANS = 40  # tickets per tablet: 1 warm-up, IN_STEP in step, the rest back to back
IN_STEP = 20
PACE_S = 1.0
P95_TARGET_MS = 200
TITLE_MARK = "ベンチ受付"


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0


def write_meeting(count: int):
    """A meeting starting now with up to ``count`` registrations (as many as the database has
    people of organisations, at least one per tablet); returns it and the tickets."""
    from events.models import Meeting, Registration, new_token
    from members.models import Person, StudyGroup

    affiliated = Person.objects.filter(organisation__isnull=False).order_by("pk")
    people = list(affiliated.values_list("pk", flat=True)[:count])
    if len(people) < TABLETS:
        raise RuntimeError(f"the database has {len(people)} people of organisations")
    now = timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.create(
            study_group=StudyGroup.objects.order_by("pk").first(),
            kind="subcommittee",
            title=f"{TITLE_MARK} {now:%H%M%S}",
            date=timezone.localdate(now),
            starts_at=now,
        )
        registrations = Registration.objects.bulk_create(
            Registration(
                meeting=meeting,
                person_id=pk,
                status="registered",
                position=n + 1,
                ticket_token=new_token(),
            )
            for n, pk in enumerate(people)
        )
    return meeting, [r.ticket_token for r in registrations]


def delete_meetings() -> set[int]:
    """Remove the bench meetings (and what their check-ins wrote) without signals; returns the
    fiscal years they were in."""
    from events.models import Attendance, Meeting, Registration

    meetings = Meeting.objects.filter(title__startswith=TITLE_MARK)
    years = set(meetings.values_list("fiscal_year", flat=True))
    ids = list(meetings.values_list("pk", flat=True))
    steps = [
        Attendance.history.filter(meeting_id__in=ids),
        Attendance.objects.filter(meeting_id__in=ids),
        Registration.history.filter(meeting_id__in=ids),
        Registration.objects.filter(meeting_id__in=ids),
        Meeting.history.filter(id__in=ids),
        Meeting.objects.filter(pk__in=ids),
    ]
    with transaction.atomic():
        for queryset in steps:
            queryset._raw_delete(queryset.db)
    return years


def _roll_up(years: set[int]) -> None:
    from reports.services import rollup_fiscal_year_compute

    for year in sorted(years):
        rollup_fiscal_year_compute(fiscal_year=year)


def _csrf(port: int, cookie: str) -> str:
    from .load import csrf_cookie

    return csrf_cookie(port, "/", cookie).split("=", 1)[1]


def scan_all(
    port: int, path: str, cookie: str, token: str, codes: list[list[str]], pace: float = 0.0
) -> dict:
    """Each thread posts its codes in turn on its own connection; all start together. With
    ``pace``, the n-th scan of every tablet is sent ``n × pace`` seconds after the start (all
    tablets at the same instant), else as soon as the previous answer has arrived."""
    from .server import HOST

    start = threading.Barrier(len(codes))
    timings: list[list[float]] = [[] for _ in codes]
    outcomes: list[list[str]] = [[] for _ in codes]
    errors: list[str] = []
    headers = {
        "Cookie": f"{cookie}; csrftoken={token}",
        "X-CSRFToken": token,
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }

    def tablet(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            start.wait()
            began = time.perf_counter()
            for n, code in enumerate(codes[index]):
                if pace:
                    time.sleep(max(0.0, began + n * pace - time.perf_counter()))
                started = time.perf_counter()
                conn.request("POST", path, body=urlencode({"code": code}), headers=headers)
                response = conn.getresponse()
                body = response.read()
                timings[index].append((time.perf_counter() - started) * 1000)
                if response.status != 200:
                    errors.append(f"{response.status}")
                    continue
                outcomes[index].append(json.loads(body)["outcome"])
        except Exception as exc:  # reported as an error of the run, not a crash of the bench
            errors.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=tablet, args=(i,)) for i in range(len(codes))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    flat = [t for part in timings for t in part]
    return {
        "timings": flat,
        "outcomes": [o for part in outcomes for o in part],
        "errors": errors,
        "rps": len(flat) / seconds if seconds else 0,
    }


BENCH_BROKER_URL = "redis://127.0.0.1:6379/13"


def broker_url() -> str:
    """Where the server queues its roll-ups, as in production (a worker takes them there):
    ``CELERY_BROKER_URL``/``REDIS_URL`` when set, else a local Redis if one answers (database
    13, emptied afterwards), else none (eager)."""
    configured = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    if configured:
        return configured
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), 0.5):
        return BENCH_BROKER_URL
    return ""


def _empty_queue(url: str) -> None:
    """The roll-ups the bench queued to its own Redis database (no worker took them)."""
    if url == BENCH_BROKER_URL:
        import redis

        redis.Redis.from_url(url).flushdb()


def run(broker: str) -> dict:
    """One measure on a meeting of its own: warm-up, first scans, second scans."""
    from django.urls import reverse

    from events.models import Attendance

    from .server import gunicorn, session_cookie

    _roll_up(delete_meetings())  # what an interrupted run left
    meeting, tickets = write_meeting(TABLETS * SCANS)
    env = (
        {"CELERY_BROKER_URL": broker, "REDIS_URL": broker}
        if broker
        else {
            "CELERY_BROKER_URL": "",
            "REDIS_URL": "",
        }
    )
    try:
        path = reverse("events:checkin_scan", args=[meeting.pk])
        per_tablet = len(tickets) // TABLETS
        tickets = tickets[: per_tablet * TABLETS]
        payloads = [f"KYOSO-T:{t}" for t in tickets]
        codes = [payloads[i * per_tablet : (i + 1) * per_tablet] for i in range(TABLETS)]
        cookie = session_cookie("bench-staff")
        with gunicorn(workers=2, threads=4, env=env) as server:
            token = _csrf(server.port, cookie)
            # Warm, one after another: templates, connections, the day's first check-in (the
            # meeting becomes held), one ticket of each tablet.
            warm = scan_all(server.port, path, cookie, token, [[c[0] for c in codes]])
            in_step = scan_all(
                server.port, path, cookie, token, [c[1 : 1 + IN_STEP] for c in codes], PACE_S
            )
            back_to_back = scan_all(
                server.port, path, cookie, token, [c[1 + IN_STEP :] for c in codes]
            )
            again = scan_all(server.port, path, cookie, token, codes)
        marked = Attendance.objects.filter(meeting=meeting, status="attended").count()
    finally:
        _roll_up(delete_meetings())
        if broker:
            _empty_queue(broker)
    already = again["outcomes"].count("already")
    runs = (warm, in_step, back_to_back, again)
    return {
        "in_step": in_step,
        "back_to_back": back_to_back,
        "again": again,
        "errors": sum(len(r["errors"]) for r in runs),
        "once": marked == len(tickets)
        and all(
            r["outcomes"].count("ok") == len(r["timings"]) for r in (warm, in_step, back_to_back)
        )
        and already == len(tickets),
    }


MODE_NOTES = {
    "roll-ups queued": "The meeting's incremental roll-up is queued for the worker after each "
    "commit (Redis), as in docker-compose.yml.",
    "Celery eager": "No broker: the meeting's incremental roll-up runs inside each check-in "
    "request after its commit.",
}


def _latencies(timings: list[float]) -> str:
    return (
        f"p50 {_p(timings, 50):.0f} ms, p95 {_p(timings, 95):.0f} ms, p99 {_p(timings, 99):.0f} ms"
    )


def _figures(result: dict, mode: str, *, target: bool) -> list[Figure]:
    """The in-step row (with the target when ``target``) and the back-to-back row."""
    in_step, back = result["in_step"], result["back_to_back"]
    p95 = _p(in_step["timings"], 95)
    met = p95 <= P95_TARGET_MS and result["errors"] == 0 and result["once"]
    checks = (
        f"second scans (受付済み) p95 {_p(result['again']['timings'], 95):.0f} ms; "
        f"{result['errors']} errors; "
        + ("each ticket marked once" if result["once"] else "NOT each ticket marked once")
    )
    return [
        Figure(
            f"check-in scan → marked → feedback ({TABLETS} tablets in step: each scans every "
            f"{PACE_S:g} s, all at the same instant; {len(in_step['timings'])} first scans, "
            f"gunicorn 2×4, {mode})",
            f"{_latencies(in_step['timings'])}; {checks}",
            "—",
            f"p95 ≤ {P95_TARGET_MS} ms, 0 errors, each ticket marked once" if target else "",
            met if target else None,
            MODE_NOTES[mode],
            data={"checkin_p95_ms": round(p95, 1)} if target else {},
        ),
        Figure(
            f"check-in saturation ({TABLETS} tablets back to back: the next scan as soon as "
            f"the answer is in; {len(back['timings'])} first scans, {mode})",
            f"{_latencies(back['timings'])}; {back['rps']:.0f} scans/s",
            "—",
            "",
            None,
            "The server's throughput on this machine; the latency is the queue's length.",
        ),
    ]


def measure() -> list[Figure]:
    broker = broker_url()
    figures = []
    if broker:
        figures += _figures(run(broker), "roll-ups queued", target=True)
    figures += _figures(run(""), "Celery eager", target=not broker)
    return figures


if __name__ == "__main__":
    from .setup import django_setup

    django_setup()
    for figure in measure():
        print(f"{figure.verdict:>12}  {figure.measure}: {figure.figure}  {figure.note}")
