"""Celery tasks of the reports app: thin wrappers around the roll-up services.

Every task recomputes from the records, so running one twice is harmless; that is what makes
late acknowledgement safe. A task whose worker dies mid-run (SIGKILL, the OOM killer) goes back
to the queue (``reject_on_worker_lost``); a database that is away is retried with exponential
back-off; a task that fails for good marks its year failed, and ``rollup_pending`` (every minute,
and whenever a worker connects to the broker) queues such years again. Time limits come from
``CELERY_TASK_SOFT_TIME_LIMIT`` / ``CELERY_TASK_TIME_LIMIT``.
"""

from __future__ import annotations

import logging
import socket
from typing import TypedDict

from celery import Task, shared_task
from celery.signals import after_task_publish
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)

from . import services
from .models import Heartbeat

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


class _Reliable(TypedDict):
    """The options of every roll-up task, typed so that ``shared_task(**RELIABLE)`` checks."""

    acks_late: bool
    reject_on_worker_lost: bool
    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int


RELIABLE: _Reliable = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": DATABASE_ERRORS,
    "retry_backoff": 2,  # 2, 4, 8, … seconds, with jitter
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
}


class YearTask(Task):
    """A task whose first argument is a fiscal year."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        fiscal_year = args[0] if args else kwargs.get("fiscal_year")
        try:
            services.rollup_failed_record(fiscal_year=int(fiscal_year), error=repr(exc))
        except Exception:  # the database may be the reason it failed; the sweep still sees it
            logger.warning("could not record the failed roll-up of %s", fiscal_year, exc_info=True)


@shared_task(name="reports.rollup_fiscal_year", base=YearTask, **RELIABLE)
def rollup_fiscal_year(fiscal_year: int) -> int:
    """Recompute one fiscal year (nothing to do when an earlier delivery already did it)."""
    services.rollup_requested_compute(fiscal_year=int(fiscal_year))
    return int(fiscal_year)


@shared_task(name="reports.rollup_meeting", base=YearTask, **RELIABLE)
def rollup_meeting(
    fiscal_year: int, meeting_id: int, person_ids: list[int], meeting_itself: bool = False
) -> int:
    """Recount one meeting's study group and people in its year (and the year's 実績指標 when
    the meeting itself changed)."""
    services.rollup_meeting_compute(
        fiscal_year=int(fiscal_year),
        meeting_id=int(meeting_id),
        person_ids=[int(pk) for pk in person_ids],
        meeting_itself=bool(meeting_itself),
    )
    return int(fiscal_year)


@shared_task(name="reports.rollup_all", **RELIABLE)
def rollup_all() -> list[str]:
    """Nightly: queue the full roll-up of every fiscal year, each as its own task."""
    return services.rollup_enqueue_all()


@shared_task(name="reports.rollup_pending", **RELIABLE)
def rollup_pending() -> list[int]:
    """Queue again the years that failed, lost their task or whose worker died."""
    return services.rollup_pending_enqueue()


@shared_task(name="reports.heartbeat", bind=True, ignore_result=True)
def heartbeat(self) -> None:
    """Sent by beat every minute: the worker that runs it says it is alive (the status page)."""
    Heartbeat.record(component=Heartbeat.Component.WORKER, hostname=self.request.hostname or "")


@after_task_publish.connect(sender="reports.heartbeat")
def _heartbeat_sent(sender=None, **kwargs) -> None:
    """In beat, right after it published the heartbeat: beat's own sign of life, recorded even
    when no worker is there to run the task. Beat is a long-lived process outside any request,
    so a connection broken by a database restart is dropped first; a database that is away only
    costs this one record."""
    if not connection.in_atomic_block:  # a caller's transaction is not ours to close
        close_old_connections()
    try:
        Heartbeat.record(component=Heartbeat.Component.BEAT, hostname=socket.gethostname())
    except DatabaseError:
        logger.warning("could not record beat's heartbeat", exc_info=True)
