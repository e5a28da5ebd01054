"""A real worker (subprocess) on PostgreSQL + Redis dies in the middle of roll-ups: nothing stays
stuck and the tables end up as a clean run leaves them.

The worker pauses inside each year's roll-up (``tests/reports/worker_app.py``) so that it is
killed while a year is marked running and its row is locked.
"""

import datetime as dt
import os
import signal
import time

import pytest

from reports import services, tasks
from reports.models import FundingSummary, ParticipationSummary, RollupState
from tests.factories import PersonFactory

from .factories import AttendanceFactory, FundingFactory, MeetingFactory
from .realworker import Worker, purge_broker, report, require_postgres_and_redis, wait_for
from .test_rollup import FIELDS

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def tables():
    """Every report table, without the ids and times that differ between two clean runs."""
    participation = ParticipationSummary.objects.values_list(
        "fiscal_year", "study_group_id", *FIELDS
    )
    funding = FundingSummary.objects.values_list(
        "fiscal_year", "project_id", "funder_id", "scheme", "kind", "amount"
    )
    return sorted(participation, key=str), sorted(funding, key=str)


def all_idle(years):
    states = dict(RollupState.objects.values_list("fiscal_year", "state"))
    return set(states) >= set(years) and all(states[y] == "idle" for y in years)


@pytest.fixture
def several_years(fy2018):
    """FY2017–FY2019 from the hand-counted fixture and three later years of meetings."""
    for year in (2020, 2021, 2022):
        for month in (5, 11):
            meeting = MeetingFactory(study_group=fy2018.s1, date=dt.date(year, month, 10))
            for org in (fy2018.orgs.L1, fy2018.orgs.U, fy2018.orgs.G):
                AttendanceFactory(meeting=meeting, person=PersonFactory(organisation=org))
        FundingFactory(project=fy2018.x, fiscal_year=year, funder=fy2018.orgs.F)
    return fy2018


@pytest.fixture
def expected_tables(several_years):
    """What a clean full roll-up stores, computed here; then the tables are emptied again."""
    years = services.rollup_all_compute()
    expected = tables()
    ParticipationSummary.objects.all().delete()
    FundingSummary.objects.all().delete()
    RollupState.objects.all().delete()
    return years, expected


@pytest.fixture
def workers(tmp_path):
    require_postgres_and_redis()
    url = os.environ["REDIS_URL"]
    purge_broker(url)
    started = []

    def start(**kwargs):
        worker = Worker(tmp_path, broker_url=url, **kwargs)
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    purge_broker(url)


def test_a_worker_killed_during_rollup_all_leaves_every_table_as_a_clean_run_after_restart(
    expected_tables, workers, capsys, record_property
):
    years, expected = expected_tables
    worker = workers(pause=1.0)
    tasks.rollup_all.delay()
    mid_run = wait_for(
        lambda: (
            RollupState.objects.filter(state="idle").exists()
            and RollupState.objects.filter(state="running").exists()
        ),
        timeout=30,
    )
    assert mid_run, worker.log_text()
    worker.kill()
    stuck = list(RollupState.objects.filter(state="running").values_list("fiscal_year", flat=True))
    assert stuck, "the kill came after the run"
    assert tables() != expected

    killed_at = time.monotonic()
    replacement = workers(pause=1.0)
    recovered = wait_for(lambda: all_idle(years) and tables() == expected, timeout=60, step=0.25)
    seconds = time.monotonic() - killed_at
    report(capsys, record_property, "sigkill_mid_rollup_all_recovered_after_restart_s", seconds)
    assert recovered, replacement.log_text()
    assert tables() == expected
    assert seconds < 60


def test_a_pool_child_killed_mid_task_gets_the_task_run_again(
    expected_tables, workers, capsys, record_property
):
    _years, expected = expected_tables
    worker = workers(pause=2.0)
    services.rollup_enqueue(fiscal_years=[2018])
    assert wait_for(
        lambda: RollupState.objects.filter(fiscal_year=2018, state="running").exists(), 20
    ), worker.log_text()
    [child] = worker.pool_children()
    os.kill(child, signal.SIGKILL)  # what the OOM killer does
    killed_at = time.monotonic()

    def rolled_again():
        return RollupState.objects.filter(fiscal_year=2018, state="idle").exists()

    recovered = wait_for(rolled_again, timeout=30, step=0.2)
    seconds = time.monotonic() - killed_at
    report(capsys, record_property, "pool_child_sigkill_task_rerun_s", seconds)
    assert recovered, worker.log_text()
    assert worker.alive()
    assert worker.pool_children() != [child]
    stored = [row for row in tables()[0] if row[0] == 2018]
    assert stored == [row for row in expected[0] if row[0] == 2018]
