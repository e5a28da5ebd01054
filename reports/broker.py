"""Is the task queue reachable, and how long is it? Asked by pages that offer a recompute and by
the status page, answered within ~1 s.

The reachability answer is remembered for a short while in the process (not in the cache: the
cache may live in the same Redis that is down).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from celery import Celery

logger = logging.getLogger(__name__)

_CHECK_EVERY = 30.0
_last: dict[str, float | bool] = {}


def broker_available() -> bool:
    from consortium.celery import app

    if app.conf.task_always_eager:
        return True  # the embedded default: tasks run in-process, there is no broker
    now = time.monotonic()
    if _last and now - float(_last["at"]) < _CHECK_EVERY:
        return bool(_last["ok"])

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=1)
        ok = True
    except Exception:  # any transport error means "not reachable"
        ok = False
    _last.update(at=now, ok=ok)
    return ok


def forget() -> None:
    """Drop the remembered answer (tests, or after the broker came back)."""
    _last.clear()


def tasks_run_in_process() -> bool:
    """The embedded default (no broker configured): tasks run eagerly, there is no worker."""
    from consortium.celery import app

    return bool(app.conf.task_always_eager)


def queue_length(*, app: Celery | None = None, queue: str | None = None) -> int | None:
    """Messages waiting in the Celery queue, or ``None`` when that cannot be known (eager mode,
    broker unreachable). On Redis a queue is one list per priority level: kombu's
    ``queue_declare`` answers the sum of their ``LLEN`` (and creates no key; a passive declare
    would call an empty queue missing)."""
    if app is None:
        from consortium.celery import app as default_app

        app = default_app
    if app.conf.task_always_eager:
        return None
    name = queue or app.conf.task_default_queue
    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=0, timeout=1)
            # A transport's Channel; the stubs' StdChannel has no queue_declare.
            channel: Any = connection.default_channel
            return int(channel.queue_declare(queue=name).message_count)
    except Exception:  # any transport error means "not known"; the page says so
        logger.info("queue length of %s unknown", name, exc_info=True)
        return None
