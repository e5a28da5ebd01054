"""A small run of the benchmark suite (10,000 attendance rows) so it keeps working.

Every measure except the gunicorn ones (HTTP export, load) and the timing of `make test`; no
timing assertions — only that each measure runs and that what it measures is still true.
"""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bench import importing, pages, rollup
from bench.generate import non_bench_data
from events.models import Attendance, Meeting
from members.models import Organisation
from reports.models import ParticipationSummary
from tests.factories import OrganisationFactory

ROWS = 10_000


@pytest.fixture
def bench_data(db):
    call_command("generate_bench_data", attendance=ROWS, seed=7, stdout=None)


def test_generator_writes_the_asked_rows_without_duplicate_attendance(bench_data):
    assert Attendance.objects.count() == ROWS
    pairs = set(Attendance.objects.values_list("meeting_id", "person_id"))
    assert len(pairs) == ROWS
    assert len(set(Meeting.objects.values_list("fiscal_year", flat=True))) == 10
    assert Organisation.objects.filter(sector="company", is_local=True).exists()
    assert Organisation.objects.filter(sector="company", is_local=False).exists()
    assert ParticipationSummary.objects.filter(study_group__isnull=True).count() == 10
    # Past meetings were held (a few cancelled), so the roll-ups have something to count.
    held = Meeting.objects.filter(status="held")
    assert held.exists() and Meeting.objects.filter(status="cancelled").exists()
    assert not held.filter(date__gte=timezone.localdate()).exists()
    assert (
        sum(
            ParticipationSummary.objects.filter(study_group=None).values_list(
                "attendance_total", flat=True
            )
        )
        > ROWS // 2
    )
    assert non_bench_data() == []


def test_generator_is_deterministic_for_a_seed(bench_data):
    first = list(Attendance.objects.order_by("pk").values_list("person_id", "status")[:500])
    call_command("generate_bench_data", attendance=ROWS, seed=7, stdout=None)
    second = list(Attendance.objects.order_by("pk").values_list("person_id", "status")[:500])
    assert [p for p, _ in first] != []
    assert len(first) == len(second)
    # Ids move on after a regeneration; the people chosen and their statuses do not.
    assert [s for _, s in first] == [s for _, s in second]


def test_generator_refuses_a_database_with_real_data(db):
    OrganisationFactory(name="平塚市 産業振興課")
    with pytest.raises(CommandError, match="not benchmark data"):
        call_command("generate_bench_data", attendance=1000, stdout=None)
    assert Organisation.objects.count() == 1
    assert not Attendance.objects.exists()


def test_forced_run_keeps_the_real_data(db):
    real = OrganisationFactory(name="平塚市 産業振興課")
    call_command("generate_bench_data", attendance=1000, force=True, stdout=None)
    call_command("generate_bench_data", attendance=1000, force=True, stdout=None)
    assert Organisation.objects.filter(pk=real.pk).exists()
    assert Attendance.objects.count() == 1000


def test_every_page_answers_with_at_most_the_query_budget(bench_data):
    counts = pages.count_queries()
    assert set(counts) == set(pages.page_urls())
    assert {name: c["status"] for name, c in counts.items()} == dict.fromkeys(counts, 200)
    over = {name: c["queries"] for name, c in counts.items() if c["queries"] > pages.LIMIT}
    assert over == {}


@pytest.fixture
def eager_celery():
    """As in `make bench`: the save's roll-up runs in-process, even when REDIS_URL is set."""
    from consortium.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # roll-up on commit
def test_roll_up_measures_run_and_a_saved_meeting_rolls_up_only_its_year(bench_data, eager_celery):
    (full,) = rollup.measure_full(repeat=1)
    (incremental,) = rollup.measure_incremental(repeat=1)
    assert "ratio" in full.figure
    fy = Meeting.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True)[0]
    assert f"years rolled: [{fy}]" in incremental.figure
    assert f"attendance reads limited to FY{fy}: True" in incremental.figure
    assert "rows and 実績指標 equal to a full roll-up of the year: True" in incremental.figure


def test_import_validation_matches_the_sheet_with_a_fixed_number_of_queries(bench_data):
    elapsed, queries, plan = importing.validate(importing.sheet(2000))
    _small, small_queries, _ = importing.validate(importing.sheet(50))
    assert plan.ok and plan.rows == 2000
    assert queries == small_queries <= importing.QUERY_TARGET
