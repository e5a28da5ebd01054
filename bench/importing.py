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
RATE_TARGET = 50_000
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


# --- The roster: 10,000 rows validated and applied --------------------------------------------

ROSTER_ROWS = 10_000
ROSTER_SECONDS_TARGET = 2.0


def roster_sheet(rows: int, *, seed: int = 1) -> bytes:
    """A secretariat's yearly roster: two rows in three for registered organisations (found by
    法人番号 or by name) and their people (by e-mail; one in five a new contact, one in twenty
    moved to another department, one organisation in 97 moved into or out of the city), the
    rest new organisations with a new contact; most rows in an existing study group, a few in
    new subcommittees."""
    from members.models import Organisation, Person, Sector, StudyGroup

    rng = random.Random(seed)
    orgs = list(
        Organisation.objects.order_by("pk").values_list(
            "pk", "name", "sector", "is_local", "corporate_number"
        )[:rows]
    )
    people: dict[int, list[tuple[str, str, str]]] = {}
    for org_id, name, email, department in Person.objects.filter(
        organisation_id__in=[o[0] for o in orgs]
    ).values_list("organisation_id", "name", "email", "department"):
        people.setdefault(org_id, []).append((name, email, department))
    groups = [g.full_name for g in StudyGroup.objects.select_related("parent")[:200]]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["団体名", "区分", "市内", "法人番号", "氏名", "メール", "所属", "研究会"])
    sectors = dict(Sector.choices)  # the words the site shows, as an exported roster has them
    for n in range(rows):
        group = rng.choice(groups) if rng.random() < 0.8 else ""
        if n % 3 != 2 and orgs:
            pk, name, sector, is_local, number = orgs[(n * 7) % len(orgs)]
            known = people.get(pk) or [("", "", "")]
            person, email, department = rng.choice(known)
            if not email or rng.random() < 0.2:
                person, email = f"新任 {n}", f"new{n}@bench.example.jp"
            if n % 20 == 0:  # moved to another department since the last roster
                department = "総務部"
            number_cell = number or "" if n % 2 else ""
            writer.writerow(
                [
                    name,
                    str(sectors[sector]),
                    # A few moved into or out of the city since the last roster.
                    "市内" if is_local != (n % 97 == 0) else "市外",
                    number_cell,
                    person,
                    email,
                    department,
                    group,
                ]
            )
        else:
            group = group if n % 50 else f"新分科会{n % 7}"
            writer.writerow(
                [
                    f"ベンチ新規{n}株式会社",
                    "企業",
                    "0",
                    "",
                    f"担当 {n}",
                    f"c{n}@bench.example.jp",
                    "営業部",
                    group,
                ]
            )
    return buffer.getvalue().encode("utf-8-sig")


def roster_run(data: bytes) -> tuple[float, int, object]:
    """Validate and apply ``data`` (the transaction rolled back afterwards)."""
    from django.db import transaction

    from members.importing import roster_import

    class Undo(Exception):
        pass

    outcome: list[object] = []
    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                outcome.append(roster_import(data=data, filename="meibo.csv"))
                elapsed = time.perf_counter() - started
                raise Undo
        except Undo:
            pass
    return elapsed, len(context.captured_queries), outcome[0]


def measure_roster(*, rows: int = ROSTER_ROWS, repeat: int = 3) -> list[Figure]:
    data = roster_sheet(rows)
    _small, small_queries, _ = roster_run(roster_sheet(100))
    elapsed, queries, result = min((roster_run(data) for _ in range(repeat)), key=lambda r: r[0])
    summary = getattr(result, "summary", lambda: "")()
    ok = getattr(result, "ok", False)
    return [
        Figure(
            f"roster import ({rows:,} rows, validated and applied)",
            f"{elapsed:.2f} s (best of {repeat}); {queries} queries ({small_queries} for 100 "
            f"rows); {summary}",
            "—",
            f"≤ {ROSTER_SECONDS_TARGET:.0f} s, a constant number of queries",
            ok and elapsed <= ROSTER_SECONDS_TARGET and queries == small_queries,
            data={"seconds": round(elapsed, 3), "queries": queries},
        )
    ]
