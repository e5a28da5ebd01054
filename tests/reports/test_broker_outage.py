"""Redis goes away under a real worker (subprocess) and comes back: the worker is still there,
and the years that could not be queued, or whose queued message Redis lost, are rolled up by
themselves.

The test runs its own Redis (``KYOSO_TEST_OUTAGE_REDIS_PORT``, 6390) so that it can stop it
without touching the Redis every other test uses.
"""

import datetime as dt
import os
import shutil
import signal
import subprocess
import time

import pytest
from django.conf import settings

from events import services as event_services
from events.models import Meeting
from reports import services
from reports.models import RollupState

from .realworker import Worker, report, require_postgres_and_redis, use_broker, wait_for
from .test_worker_crash import tables

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PORT = int(os.environ.get("KYOSO_TEST_OUTAGE_REDIS_PORT", "6390"))
URL = f"redis://127.0.0.1:{PORT}/0"


class OwnRedis:
    """A Redis of this test alone, without persistence (what it holds dies with it)."""

    def ping(self) -> bool:
        done = subprocess.run(
            ["redis-cli", "-p", str(PORT), "ping"], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() == "PONG"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                "/tmp",
                "--logfile",
                f"/tmp/kyoso-test-redis-{PORT}.log",
            ],
            check=True,
        )
        assert wait_for(self.ping, 10), "the test's own Redis did not start"

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(PORT), "shutdown", "nosave"], capture_output=True, check=False
        )
        assert wait_for(lambda: not self.ping(), 10), "the test's own Redis did not stop"


@pytest.fixture
def own_redis():
    require_postgres_and_redis()
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        pytest.skip("needs redis-server and redis-cli to run a Redis it may stop")
    redis = OwnRedis()
    if redis.ping():  # left over from an interrupted run of this test
        redis.stop()
    redis.start()
    use_broker(URL)
    yield redis
    use_broker(settings.CELERY_BROKER_URL)
    redis.stop()


def test_the_worker_survives_a_redis_outage_and_rolls_up_what_waited(
    fy2018, own_redis, tmp_path, capsys, record_property
):
    worker = Worker(tmp_path, broker_url=URL, KYOSO_ROLLUP_REQUEUE_SECONDS="2")
    worker.start()
    try:
        services.rollup_enqueue(fiscal_years=[2018])
        assert wait_for(
            lambda: RollupState.objects.filter(fiscal_year=2018, state="idle").exists(), 20
        ), worker.log_text()

        # Queued just before the outage: the message is in Redis, and Redis loses it.
        os.killpg(worker.process.pid, signal.SIGSTOP)
        services.rollup_enqueue(fiscal_years=[2017])
        own_redis.stop()
        os.killpg(worker.process.pid, signal.SIGCONT)
        down_at = time.monotonic()

        # Saved while Redis is down: the save stands, the year is marked failed at once.
        meeting = Meeting.objects.get(study_group=fy2018.s1, date=dt.date(2019, 4, 1))
        event_services.headcount_set(meeting=meeting, headcount=7)
        assert RollupState.objects.get(fiscal_year=2019).state == RollupState.State.FAILED
        assert RollupState.objects.get(fiscal_year=2017).state == RollupState.State.QUEUED

        wait_for(lambda: not worker.alive(), timeout=6)
        assert worker.alive(), f"the worker exited when Redis went away:\n{worker.log_text()}"
        report(capsys, record_property, "redis_outage_s", time.monotonic() - down_at)

        own_redis.start()
        back_at = time.monotonic()

        def caught_up():
            states = dict(RollupState.objects.values_list("fiscal_year", "state"))
            return all(states.get(year) == "idle" for year in (2017, 2018, 2019))

        recovered = wait_for(caught_up, timeout=60, step=0.25)
        seconds = time.monotonic() - back_at
        report(capsys, record_property, "redis_back_to_years_rolled_up_s", seconds)
        assert recovered, worker.log_text()
        assert worker.alive()
    finally:
        worker.stop()
    stored = tables()
    services.rollup_all_compute()  # a clean run, in this process
    assert stored == tables()
