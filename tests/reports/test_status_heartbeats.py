"""The staff status page says whether beat and a worker are alive and how long the queue is.

Beat sends ``reports.heartbeat`` every minute and records the send; the worker that runs it
records the run. Silence for longer than ``Heartbeat.STALE_AFTER`` is shown as a warning.
"""

import datetime as dt
import os
import uuid

import pytest
from celery import Celery
from django.urls import reverse
from django.utils import timezone

from consortium.celery import app
from reports import broker
from reports.models import Heartbeat
from reports.tasks import heartbeat

WORKER_SILENT = "ワーカーの応答がありません"
BEAT_SILENT = "beat の応答がありません"


def _point_at(url: str, *, eager: bool) -> None:
    app.conf.update(broker_url=url, task_always_eager=eager)
    app._pool = None
    app.amqp._producer_pool = None
    broker.forget()


@pytest.fixture
def queue():
    """The app on an in-process broker (kombu's memory transport), as a worker-backed site would
    be: not eager. Its queue is emptied before and after."""
    before = app.conf.broker_url, app.conf.task_always_eager
    _point_at("memory://localhost/", eager=False)

    def purge() -> None:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(app.conf.task_default_queue)

    purge()
    yield
    purge()
    _point_at(before[0], eager=before[1])


def beat_and_worker_seen(*, beat_ago: dt.timedelta, worker_ago: dt.timedelta) -> None:
    now = timezone.now()
    Heartbeat.record(component=Heartbeat.Component.BEAT, at=now - beat_ago, hostname="beat-1")
    Heartbeat.record(component=Heartbeat.Component.WORKER, at=now - worker_ago, hostname="w-1")


def test_a_worker_running_the_heartbeat_records_when(db):
    before = timezone.now()

    heartbeat.apply()

    seen = Heartbeat.objects.get(component=Heartbeat.Component.WORKER)
    assert seen.seen_at >= before
    assert not Heartbeat.objects.filter(component=Heartbeat.Component.BEAT).exists()


def test_sending_the_heartbeat_records_the_beat_without_a_worker(db, queue):
    before = timezone.now()

    app.send_task("reports.heartbeat")

    sent = Heartbeat.objects.get(component=Heartbeat.Component.BEAT)
    assert sent.seen_at >= before
    assert not Heartbeat.objects.filter(component=Heartbeat.Component.WORKER).exists()
    assert broker.queue_length() == 1  # still waiting for a worker


def test_beat_schedules_the_heartbeat_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-heartbeat"]
    assert entry["task"] == "reports.heartbeat"
    assert entry["schedule"] == 60.0
    assert entry["options"]["expires"] <= Heartbeat.STALE_AFTER.total_seconds()


def test_status_page_warns_when_the_worker_is_silent(client_as, queue):
    beat_and_worker_seen(beat_ago=dt.timedelta(seconds=30), worker_ago=dt.timedelta(minutes=5))

    page = client_as("admin").get(reverse("reports:status")).content.decode()

    assert WORKER_SILENT in page
    assert BEAT_SILENT not in page
    assert "w-1" in page


def test_status_page_warns_when_beat_is_silent(client_as, queue):
    beat_and_worker_seen(beat_ago=dt.timedelta(minutes=4), worker_ago=dt.timedelta(minutes=4))

    page = client_as("admin").get(reverse("reports:status")).content.decode()

    assert BEAT_SILENT in page
    assert WORKER_SILENT in page


def test_status_page_warns_when_no_heartbeat_was_ever_seen(client_as, queue):
    page = client_as("admin").get(reverse("reports:status")).content.decode()

    assert BEAT_SILENT in page
    assert WORKER_SILENT in page


def test_status_page_is_quiet_while_both_answer(client_as, queue):
    beat_and_worker_seen(beat_ago=dt.timedelta(seconds=20), worker_ago=dt.timedelta(seconds=19))

    page = client_as("admin").get(reverse("reports:status")).content.decode()

    assert BEAT_SILENT not in page
    assert WORKER_SILENT not in page


def test_status_page_shows_the_queue_length(client_as, queue):
    beat_and_worker_seen(beat_ago=dt.timedelta(seconds=20), worker_ago=dt.timedelta(seconds=19))
    for _ in range(3):
        app.send_task("reports.rollup_pending")

    response = client_as("admin").get(reverse("reports:status"))

    assert response.context["queue_length"] == 3
    assert 'data-queue-length="3"' in response.content.decode()


def test_status_page_shows_a_dash_for_the_queue_when_the_broker_is_down(
    client_as, queue, monkeypatch
):
    monkeypatch.setattr("reports.views.broker_available", lambda: False)

    response = client_as("admin").get(reverse("reports:status"))

    assert response.context["queue_length"] is None
    assert 'data-queue-length="—"' in response.content.decode()


def test_without_a_worker_the_page_says_tasks_run_in_process(client_as):
    # The embedded default (no REDIS_URL): nothing to warn about, no queue to measure.
    response = client_as("admin").get(reverse("reports:status"))
    page = response.content.decode()

    assert "ウェブの処理の中で実行されます" in page
    assert WORKER_SILENT not in page
    assert 'data-queue-length="—"' in page


def test_in_english_the_warnings_are_translated(client_as, queue):
    client = client_as("admin")
    page = client.get(reverse("reports:status"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "No answer from the workers" in page
    assert "No answer from beat" in page


def test_queue_length_is_unknown_when_the_broker_cannot_be_reached():
    unreachable = Celery(broker="redis://127.0.0.1:1/0")

    assert broker.queue_length(app=unreachable) is None


def test_queue_length_is_unknown_in_eager_mode():
    assert app.conf.task_always_eager  # the test settings: no REDIS_URL
    assert broker.queue_length() is None


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis (REDIS_URL)")
def test_queue_length_counts_the_messages_waiting_in_redis():
    redis_app = Celery(broker=os.environ["REDIS_URL"])
    name = f"kyoso-test-{uuid.uuid4().hex}"
    try:
        for _ in range(3):
            redis_app.send_task("reports.rollup_pending", queue=name)

        assert broker.queue_length(app=redis_app, queue=name) == 3
    finally:
        with redis_app.connection_for_write() as connection:
            connection.default_channel.queue_delete(name)
