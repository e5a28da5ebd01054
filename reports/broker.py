"""Is the task queue reachable? Asked by pages that offer a recompute, answered within ~1 s.

The answer is remembered for a short while in the process (not in the cache: the cache may live
in the same Redis that is down).
"""

from __future__ import annotations

import time

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
