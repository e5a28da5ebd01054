import os
import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from events.signals import attendance_changed
from members.signals import membership_changed
from projects.signals import funding_changed
from reports import services, tasks
from reports.models import ParticipationSummary, RollupState

from .test_rollup import FIELDS


def snapshot():
    return sorted(
        ParticipationSummary.objects.values_list("fiscal_year", "study_group_id", *FIELDS),
        key=str,
    )


@pytest.mark.parametrize("signal", [attendance_changed, membership_changed, funding_changed])
def test_a_change_enqueues_only_the_touched_year_after_commit(
    db, signal, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.rollup_fiscal_year, "delay") as delay:
        delay.return_value.id = "task-1"
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            signal.send(sender=None, fiscal_years={2018})
        delay.assert_not_called()  # nothing before the commit
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(2018)


def test_a_meeting_moved_between_years_enqueues_both(db, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.rollup_fiscal_year, "delay") as delay:
        delay.return_value.id = "task-1"
        with django_capture_on_commit_callbacks(execute=True):
            attendance_changed.send(sender=None, fiscal_years={2019, 2018})
    assert sorted(c.args[0] for c in delay.call_args_list) == [2018, 2019]


def test_saving_attendance_through_the_events_service_rolls_up_that_year(
    fy2018, django_capture_on_commit_callbacks
):
    from events import services as event_services
    from events.models import Meeting

    meeting = Meeting.objects.get(fiscal_year=2018, project=fy2018.x)
    with django_capture_on_commit_callbacks(execute=True):
        event_services.headcount_set(meeting=meeting, headcount=20)
    total = ParticipationSummary.objects.get(fiscal_year=2018, study_group=None)
    assert total.attendance_total == 35  # 25 with 10 unnamed → 20 unnamed
    assert not ParticipationSummary.objects.filter(fiscal_year=2019).exists()


def test_rollup_task_runs_eagerly_by_default(fy2018):
    tasks.rollup_fiscal_year.delay(2018)
    assert ParticipationSummary.objects.filter(fiscal_year=2018).count() == 4


def test_rollup_command_runs_synchronously(fy2018):
    from django.core.management import call_command

    call_command("rollup", "--fiscal-year", "2018")
    assert ParticipationSummary.objects.filter(fiscal_year=2018).count() == 4
    call_command("rollup")
    assert set(RollupState.objects.values_list("fiscal_year", flat=True)) == {2017, 2018, 2019}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_runs_give_the_same_rows(fy2018):
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory SQLite test database fails concurrent writers at once "
            "instead of waiting; the file database waits (busy timeout)"
        )
    services.rollup_fiscal_year_compute(fiscal_year=2018)
    expected = snapshot()
    errors = []

    def run():
        try:
            services.rollup_fiscal_year_compute(fiscal_year=2018)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert snapshot() == expected


def test_broker_down_enqueue_fails_fast_with_a_message(db, broker_down):
    started = time.monotonic()
    with pytest.raises(services.RollupEnqueueError, match="接続できません"):
        services.rollup_enqueue(fiscal_years=[2018])
    assert time.monotonic() - started < 2
    assert RollupState.objects.get(fiscal_year=2018).state == RollupState.State.FAILED


def test_broker_down_pages_render_from_tables_with_a_notice(fy2018, client_as, broker_down):
    ParticipationSummary.objects.create(fiscal_year=2018, meetings=4, attendance_total=25)
    client = client_as("admin")
    for name in ("reports:dashboard", "reports:status"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "接続できません" in response.content.decode()
    started = time.monotonic()
    response = client.post(reverse("reports:recompute"), follow=True)
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert "接続できません" in response.content.decode()


def test_broker_down_does_not_break_the_write_that_triggered_it(
    db, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attendance_changed.send(sender=None, fiscal_years={2018})
    assert RollupState.objects.get(fiscal_year=2018).state == RollupState.State.FAILED


def test_full_recompute_from_the_status_panel(fy2018, client_as):
    response = client_as("admin").post(reverse("reports:recompute"), follow=True)
    assert "再集計を依頼しました" in response.content.decode()
    states = dict(RollupState.objects.values_list("fiscal_year", "state"))
    assert {2017, 2018, 2019} <= set(states)
    assert set(states.values()) == {"idle"}


def test_status_panel_shows_progress_of_queued_years(db, client_as):
    RollupState.objects.create(fiscal_year=2017, state="idle")
    RollupState.objects.create(fiscal_year=2018, state="queued")
    html = client_as("admin").get(reverse("reports:status"), HTTP_HX_REQUEST="true").content
    html = html.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "1 / 2" in html


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_computes_a_rollup_end_to_end(fy2018):
    from celery.contrib.testing.worker import start_worker

    from consortium.celery import app

    with start_worker(app, perform_ping_check=False, loglevel="WARNING"):
        services.rollup_enqueue(fiscal_years=[2018])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if RollupState.objects.get(fiscal_year=2018).state == RollupState.State.IDLE:
                break
            time.sleep(0.2)
    assert RollupState.objects.get(fiscal_year=2018).state == RollupState.State.IDLE
    total = ParticipationSummary.objects.get(fiscal_year=2018, study_group=None)
    assert (total.meetings, total.attendance_total) == (4, 25)


def test_many_changes_in_one_transaction_queue_each_year_once(
    db, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.rollup_fiscal_year, "delay") as delay:
        delay.return_value.id = "task-1"
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(50):
                attendance_changed.send(sender=None, fiscal_years={2018})
            funding_changed.send(sender=None, fiscal_years={2018, 2020})
    assert sorted(c.args[0] for c in delay.call_args_list) == [2018, 2020]
