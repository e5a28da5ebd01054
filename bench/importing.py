"""Attendance import validation of a 10,000-row sheet: rows/s of ``events.importing.import_plan``
(read, check, match against the database; nothing written) and its query count, which must
not grow with the rows (lookups are batched).
"""

from __future__ import annotations

import csv
import io
import random
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from .results import Figure

ROWS = 10_000
RATE_TARGET = 20_000
QUERY_TARGET = 10  # "a handful", and the same for 100 rows as for 10,000


def sheet(rows: int, *, seed: int = 1) -> bytes:
    """A sign-in sheet of existing meetings and people, as a secretariat would type it: most rows
    match a person by e-mail, some by name and organisation, some are unnamed headcounts."""
    from events.models import Meeting
    from members.models import Person

    rng = random.Random(seed)
    meetings = list(
        # A cancelled meeting takes no attendance (the sheet would be refused).
        Meeting.objects.filter(study_group__isnull=False)
        .exclude(status="cancelled")
        .select_related("study_group__parent")
        .order_by("-date", "pk")[: max(1, rows // 25)]
    )
    people = list(Person.objects.select_related("organisation").order_by("pk")[: rows * 2])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["開催日", "会議名", "種別", "研究会", "氏名", "メール", "団体名", "法人番号", "人数"]
    )
    per_meeting = max(1, rows // len(meetings))
    written = 0
    for meeting in meetings:
        chosen = rng.sample(people, min(len(people), per_meeting))
        for n, person in enumerate(chosen):
            if written >= rows:
                break
            base = [meeting.date.isoformat(), meeting.title, meeting.get_kind_display()]
            base.append(meeting.study_group.full_name)
            if n == 0:
                writer.writerow([*base, "", "", "", "", "3"])
            elif n % 5 == 0:
                writer.writerow([*base, person.name, "", person.organisation.name, "", ""])
            else:
                writer.writerow([*base, person.name, person.email, "", "", ""])
            written += 1
    return buffer.getvalue().encode("utf-8-sig")


def validate(data: bytes) -> tuple[float, int, object]:
    from events.importing import import_plan

    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        plan = import_plan(data, "sheet.csv")
        elapsed = time.perf_counter() - started
    return elapsed, len(context.captured_queries), plan


def measure(*, rows: int = ROWS, repeat: int = 3) -> list[Figure]:
    data = sheet(rows)
    _small_time, small_queries, _ = validate(sheet(100))
    # The best of ``repeat`` validations of the same sheet, like the other timings.
    elapsed, queries, plan = min((validate(data) for _ in range(repeat)), key=lambda r: r[0])
    rate = plan.rows / elapsed
    return [
        Figure(
            f"attendance import validation ({plan.rows:,}-row sheet)",
            f"{elapsed:.2f} s = {rate:,.0f} rows/s (best of {repeat}); {queries} queries "
            f"({small_queries} for 100 rows); {len(plan.errors)} row errors",
            "—",
            f"≥ {RATE_TARGET:,} rows/s, a handful of queries",
            rate >= RATE_TARGET and queries <= QUERY_TARGET and queries == small_queries,
        )
    ]
