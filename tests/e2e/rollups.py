"""Making sure the report roll-up has run before a journey looks at the dashboard or an export.

On the embedded default (no REDIS_URL) Celery is eager: the roll-up that a saved attendance asks
for runs inside that request, and nothing more is needed. With REDIS_URL set (CI on PostgreSQL +
Redis) the task goes to Redis and no worker runs during the browser tests, so the test does what
the worker would do: it runs the same ``rollup`` command, then drops the queued copies.
"""

from __future__ import annotations

import io

from django.core.management import call_command

from consortium.celery import app


def eager() -> bool:
    return bool(app.conf.task_always_eager)


def roll_up_unless_eager(fiscal_year: int) -> None:
    if eager():
        return
    call_command("rollup", fiscal_year=fiscal_year, stdout=io.StringIO())
    app.control.purge()


def roll_up(fiscal_year: int) -> None:
    """Recompute one fiscal year now (data made with factories sends no domain signal)."""
    call_command("rollup", fiscal_year=fiscal_year, stdout=io.StringIO())
