"""Many processes writing the years' roll-up states at once never deadlock.

An administrator's full recompute, a worker's sweep and the after-commit of an edit each write
several years' RollupState rows, while each worker's roll-up holds one year's row until it commits.
A single UPDATE of several rows locks them in the order it meets them, which two processes can see
differently (each row's newest version moves in the table): seen as ``deadlock detected`` and a 500
on 全年度を再集計 while a colleague ticked attendance. Every writer of several rows now takes their
locks in the order of the year.

Needs PostgreSQL (row locks) and committed data (``transaction=True``); no task is published.
"""

from __future__ import annotations

import random
import threading

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from reports import services
from reports.models import RollupState

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]

YEARS = list(range(2016, 2027))
THREADS = 8
ROUNDS = 25


def _many_years(draw: random.Random) -> None:
    """What a recompute, a sweep or an edit's after-commit writes: several years at once."""
    years = draw.sample(YEARS, draw.randint(2, len(YEARS)))
    match draw.randrange(4):
        case 0:
            services._every_year_afresh()
        case 1:
            services._mark_queued(years)
        case 2:
            services._mark_queued(years, unless_queued=True)
        case _:
            services._years_update(years, attendees_ready=False)


def _one_year(draw: random.Random) -> None:
    """What a worker's roll-up holds: one year's row, until it commits."""
    with transaction.atomic():
        year = draw.choice(YEARS)
        RollupState.objects.filter(fiscal_year=year).update(started_at=timezone.now())
        RollupState.objects.filter(fiscal_year=year).update(state=RollupState.State.IDLE)


def test_writers_of_several_years_and_workers_of_one_never_deadlock():
    # Rows created out of order, and updated once, so the table's order is not the years'.
    for year in sorted(YEARS, key=lambda y: (y % 3, -y)):
        RollupState.objects.create(fiscal_year=year)
    RollupState.objects.filter(fiscal_year__in=YEARS[::2]).update(last_error="")
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(seed: int) -> None:
        draw = random.Random(seed)
        try:
            start.wait()
            for _ in range(ROUNDS):
                (_many_years if seed % 2 else _one_year)(draw)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(RollupState.objects.values_list("fiscal_year", flat=True)) == YEARS
