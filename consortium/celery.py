"""Celery application. Settings come from Django's settings under the CELERY_ namespace.

Two sides share these settings and want different things from a broker that is away. A web
request publishes with one short connection attempt and no retry, so a page says at once that
the queue is down. A worker has nobody waiting on it: it reconnects for as long as it takes
(``CELERY_BROKER_CONNECTION_RETRY*``, read only by workers and beat), retries its own publishes
(set below when a worker starts) and, each time it is connected again, sends the tasks of
``KYOSO_BROKER_CONNECTED_TASKS`` so that what waited during the outage is queued at once.
"""

import logging
import os

from celery import Celery, bootsteps
from celery.signals import celeryd_init, setup_logging

from consortium.observability import celery_setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")

logger = logging.getLogger(__name__)

app = Celery("consortium")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers and beat log in Kyoso's format (LOGGING), with the task id on every line.
setup_logging.connect(celery_setup_logging)

# A publish from a worker (the sweep, a task's retry) rides out a broker that is just coming back.
WORKER_PUBLISH_RETRY_POLICY = {
    "max_retries": 5,
    "interval_start": 0.5,
    "interval_step": 1.0,
    "interval_max": 3.0,
}


@celeryd_init.connect
def _worker_publishes_with_retries(sender=None, conf=None, **kwargs) -> None:
    """Only in a worker process (before its pool starts, so the pool inherits it)."""
    conf.task_publish_retry = True
    conf.task_publish_retry_policy = WORKER_PUBLISH_RETRY_POLICY


class SendOnConnect(bootsteps.StartStopStep):
    """Runs each time the worker's consumer (re)connects to the broker, after the task consumer
    is set up: sends ``KYOSO_BROKER_CONNECTED_TASKS``. A failure is logged, never raised, so it
    cannot stop the worker from consuming."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, c) -> None:
        from django.conf import settings

        for name in getattr(settings, "KYOSO_BROKER_CONNECTED_TASKS", ()):
            try:
                c.app.send_task(name)
            except Exception:  # the broker went away again; the beat's next run covers it
                logger.warning("could not send %s after connecting", name, exc_info=True)


app.steps["consumer"].add(SendOnConnect)
