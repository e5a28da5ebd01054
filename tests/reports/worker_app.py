"""The Celery app that the real-worker tests start as a subprocess: Kyoso's own app, plus

- a pause inside every full roll-up of a year (``KYOSO_TEST_ROLLUP_PAUSE`` seconds), taken after
  the year is marked running and its row is locked, so that a test can kill the worker while a
  year is being computed without needing a million rows;
- a file written when the worker is ready (``KYOSO_TEST_READY_FILE``), so that a test waits for
  exactly that instead of sleeping.

Nothing here is imported by Kyoso itself.
"""

import os
import time
from pathlib import Path

from celery.signals import worker_process_init, worker_ready

from consortium.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _pause_full_rollups(**kwargs) -> None:
    pause = float(os.environ.get("KYOSO_TEST_ROLLUP_PAUSE") or 0)
    if not pause:
        return
    from reports import services

    compute = services.compute_participation

    def paused(*args, **kw):
        time.sleep(pause)
        return compute(*args, **kw)

    services.compute_participation = paused


@worker_ready.connect
def _say_ready(**kwargs) -> None:
    ready = os.environ.get("KYOSO_TEST_READY_FILE")
    if ready:
        Path(ready).write_text(str(os.getpid()))
