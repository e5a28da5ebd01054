import os
import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from events.signals import attendance_changed
from members.signals import membership_changed
from projects.signals import call_changed, funding_changed
from reports import services, tasks
from reports.models import ParticipationSummary, RollupState

from .test_rollup import FIELDS


def snapshot():
    return sorted(
        ParticipationSummary.objects.values_list("fiscal_year", "study_group_id", *FIELDS),
        key=str,
    )


@pytest.mark.parametrize(
    "signal", [attendance_changed, membership_changed, funding_changed, call_changed]
)
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


# --- enqueueing: de-duplicated through the RollupState rows, nothing kept in the process ------


def test_an_enqueue_rolled_back_with_its_transaction_does_not_suppress_a_later_one(
    db, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with mock.patch.object(tasks.rollup_fiscal_year, "delay") as delay:
        delay.return_value.id = "task-1"
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                attendance_changed.send(sender=None, fiscal_years={2018})
                raise RuntimeError("the write failed")
            assert not RollupState.objects.filter(state="queued").exists()
            attendance_changed.send(sender=None, fiscal_years={2018})
    delay.assert_called_once_with(2018)


def test_a_rolled_back_tick_leaves_none_of_its_people_in_a_later_recount(
    db, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with mock.patch.object(tasks.rollup_meeting, "delay") as delay:
        delay.return_value.id = "task-1"
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            attendance_changed.send(sender=None, fiscal_years={2018}, meeting_id=7, person_ids={1})
            raise RuntimeError("the write failed")
        with django_capture_on_commit_callbacks(execute=True):
            attendance_changed.send(sender=None, fiscal_years={2018}, meeting_id=7, person_ids={2})
    delay.assert_called_once_with(2018, 7, [2])


def test_a_year_already_queued_by_another_commit_is_not_queued_twice(
    db, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.rollup_fiscal_year, "delay") as delay:
        delay.return_value.id = "task-1"
        for _commit in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                membership_changed.send(sender=None, fiscal_years={2018})
    delay.assert_called_once_with(2018)  # the waiting task reads every commit before it
    assert RollupState.objects.get(fiscal_year=2018).state == RollupState.State.QUEUED


@pytest.mark.parametrize("state", ["idle", "running", "failed"])
def test_a_year_changed_while_not_waiting_in_the_queue_is_queued(
    db, state, django_capture_on_commit_callbacks
):
    RollupState.objects.create(fiscal_year=2018, state=state)
    with mock.patch.object(tasks.rollup_fiscal_year, "delay") as delay:
        delay.return_value.id = "task-1"
        with django_capture_on_commit_callbacks(execute=True):
            membership_changed.send(sender=None, fiscal_years={2018})
    delay.assert_called_once_with(2018)


def test_a_full_rollup_asked_while_a_meeting_recount_waits_is_still_queued(
    db, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(tasks.rollup_meeting, "delay") as meeting_delay,
        mock.patch.object(tasks.rollup_fiscal_year, "delay") as year_delay,
    ):
        meeting_delay.return_value.id = year_delay.return_value.id = "task-1"
        with django_capture_on_commit_callbacks(execute=True):
            attendance_changed.send(sender=None, fiscal_years={2018}, meeting_id=7, person_ids={1})
        with django_capture_on_commit_callbacks(execute=True):
            membership_changed.send(sender=None, fiscal_years={2018})
    meeting_delay.assert_called_once_with(2018, 7, [1])
    year_delay.assert_called_once_with(2018)


def test_a_second_delivery_of_a_year_already_rolled_up_does_no_work(fy2018):
    services.rollup_enqueue(fiscal_years=[2018])  # eager: rolled up at once
    with mock.patch.object(services, "rollup_fiscal_year_compute") as compute:
        tasks.rollup_fiscal_year.delay(2018)  # the same message again (redelivered)
    compute.assert_not_called()


def test_rollup_all_queues_every_year_as_its_own_task(fy2018):
    with mock.patch.object(tasks.rollup_fiscal_year, "delay") as delay:
        delay.return_value.id = "task-1"
        tasks.rollup_all.delay()
    assert sorted(c.args[0] for c in delay.call_args_list) == [2017, 2018, 2019]
    assert set(RollupState.objects.values_list("state", flat=True)) == {"queued"}
    tasks.rollup_all.delay()  # eager this time
    assert set(RollupState.objects.values_list("state", flat=True)) == {"idle"}
    assert ParticipationSummary.objects.filter(fiscal_year=2018).count() == 4


# --- no year is stuck ---------------------------------------------------------------------------


def _ago(seconds):
    import datetime as dt

    from django.utils import timezone

    return timezone.now() - dt.timedelta(seconds=seconds)


def test_a_year_running_for_longer_than_the_time_limit_is_rolled_up_again(fy2018, settings):
    RollupState.objects.create(
        fiscal_year=2018, state="running", started_at=_ago(settings.CELERY_TASK_TIME_LIMIT + 1)
    )
    assert tasks.rollup_pending.delay().get() == [2018]
    assert RollupState.objects.get(fiscal_year=2018).state == RollupState.State.IDLE
    assert ParticipationSummary.objects.filter(fiscal_year=2018).count() == 4


def test_failed_years_are_rolled_up_by_the_pending_sweep(fy2018):
    RollupState.objects.create(fiscal_year=2018, state="failed", last_error="broker down")
    RollupState.objects.create(fiscal_year=2019, state="idle", last_rolled_at=_ago(5))
    assert services.rollup_pending_enqueue() == [2018]
    state = RollupState.objects.get(fiscal_year=2018)
    assert (state.state, state.last_error) == (RollupState.State.IDLE, "")
    assert not ParticipationSummary.objects.filter(fiscal_year=2019).exists()


def test_a_queued_year_is_queued_again_once_its_message_had_time_to_run(fy2018, settings):
    settings.KYOSO_ROLLUP_REQUEUE_SECONDS = 60
    RollupState.objects.create(fiscal_year=2017, state="queued", queued_at=_ago(61))
    RollupState.objects.create(fiscal_year=2018, state="queued", queued_at=_ago(5))
    with mock.patch.object(tasks.rollup_fiscal_year, "delay") as delay:
        delay.return_value.id = "task-1"
        assert services.rollup_pending_enqueue() == [2017]
    delay.assert_called_once_with(2017)


def test_without_row_locks_a_running_year_is_left_alone_until_the_time_limit(db):
    if connection.features.has_select_for_update_skip_locked:
        pytest.skip("this database tells a live run by its row lock (next test)")
    RollupState.objects.create(fiscal_year=2018, state="running", started_at=_ago(5))
    assert services.rollup_pending_enqueue() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_running_year_is_rolled_up_again_once_its_worker_no_longer_holds_the_row(fy2018):
    from django.db import transaction

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("needs row locks (PostgreSQL)")
    RollupState.objects.create(fiscal_year=2018, state="running", started_at=_ago(1))
    holding, release = threading.Event(), threading.Event()

    def live_run():  # what a worker computing the year does: holds the row until it commits
        try:
            with transaction.atomic():
                RollupState.objects.filter(fiscal_year=2018).update(started_at=_ago(1))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=live_run)
    thread.start()
    try:
        assert holding.wait(10)
        assert services.rollup_pending_enqueue() == []
    finally:
        release.set()
        thread.join()
    # The worker died (its transaction is gone): the year is rolled up again.
    assert services.rollup_pending_enqueue() == [2018]
    assert RollupState.objects.get(fiscal_year=2018).state == RollupState.State.IDLE


def test_a_database_error_is_retried_with_back_off(fy2018):
    from celery.exceptions import Retry
    from django.db import OperationalError

    with mock.patch.object(
        services,
        "rollup_fiscal_year_compute",
        side_effect=[OperationalError("server closed the connection"), None],
    ) as compute:
        # As a worker runs it (an eager call that propagates errors raises the Retry instead).
        result = tasks.rollup_fiscal_year.apply((2018,), throw=False)
    assert compute.call_count == 2
    assert result.successful()
    with (
        mock.patch.object(
            services, "rollup_fiscal_year_compute", side_effect=OperationalError("gone")
        ),
        pytest.raises(Retry) as retry,
    ):
        tasks.rollup_fiscal_year.delay(2018)
    assert 0 <= retry.value.when <= 2  # the first of 2, 4, 8, … s (with jitter)
    assert tasks.rollup_fiscal_year.retry_backoff_max == 120


def test_a_task_that_fails_marks_its_year_failed_for_the_sweep(db):
    RollupState.objects.create(fiscal_year=2018, state="queued")
    with mock.patch.object(services, "compute_participation", side_effect=ValueError("bad row")):
        result = tasks.rollup_fiscal_year.apply((2018,), throw=False)  # as a worker runs it
    assert result.failed()
    state = RollupState.objects.get(fiscal_year=2018)
    assert state.state == RollupState.State.FAILED
    assert "bad row" in state.last_error


def test_rollup_tasks_are_rerun_when_their_worker_is_lost_and_have_time_limits():
    from consortium.celery import app

    for task in (tasks.rollup_fiscal_year, tasks.rollup_meeting, tasks.rollup_all):
        assert task.acks_late and task.reject_on_worker_lost
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert "reports.rollup_pending" in {entry["task"] for entry in app.conf.beat_schedule.values()}


def test_the_worker_reconnects_for_ever_while_a_web_request_fails_fast():
    from celery.signals import celeryd_init

    from consortium.celery import app

    # The web: one connection attempt, no publish retry (test_broker_down_* time it).
    assert app.conf.broker_transport_options["max_retries"] == 0
    assert app.conf.task_publish_retry is False
    # The worker and beat: reconnect at start-up and after a loss, without a limit.
    assert app.conf.broker_connection_retry is True
    assert app.conf.broker_connection_retry_on_startup is True
    assert app.conf.broker_connection_max_retries is None
    worker_conf = mock.Mock(task_publish_retry=False)
    celeryd_init.send(sender="worker@host", instance=None, conf=worker_conf, options={})
    assert worker_conf.task_publish_retry is True
