"""Writes of the reports app: recomputing roll-ups, asking the queue for them, logging exports."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.fiscal import fiscal_year_of
from events.models import Meeting
from members.models import Membership
from projects.models import Funding

from .models import ExportLog, FundingSummary, ParticipationSummary, RollupState
from .rollup import compute_funding, compute_participation

logger = logging.getLogger(__name__)


class RollupEnqueueError(RuntimeError):
    """The task queue (broker) could not be reached; the message is for people."""


def _state_for(fiscal_year: int) -> RollupState:
    try:
        state, _created = RollupState.objects.get_or_create(fiscal_year=fiscal_year)
    except IntegrityError:  # created by a concurrent run between our read and insert
        state = RollupState.objects.get(fiscal_year=fiscal_year)
    return state


def rollup_fiscal_year_compute(*, fiscal_year: int) -> RollupState:
    """Recompute one fiscal year's summary rows and replace them in one transaction.

    Idempotent. Two runs of the same year at once are serialised: each starts its transaction by
    updating the year's RollupState row (a row lock on PostgreSQL, the database write lock on
    SQLite), so the second waits for the first and then writes the same rows again.
    """
    _state_for(fiscal_year)
    # Committed on its own so the status panel can show "running" while we work.
    RollupState.objects.filter(fiscal_year=fiscal_year).update(
        state=RollupState.State.RUNNING, started_at=timezone.now()
    )
    with transaction.atomic():
        RollupState.objects.filter(fiscal_year=fiscal_year).update(started_at=timezone.now())
        now = timezone.now()
        participation = compute_participation(fiscal_year)
        funding = compute_funding(fiscal_year)
        ParticipationSummary.objects.filter(fiscal_year=fiscal_year).delete()
        FundingSummary.objects.filter(fiscal_year=fiscal_year).delete()
        participation.setdefault(None, {})
        ParticipationSummary.objects.bulk_create(
            ParticipationSummary(
                fiscal_year=fiscal_year, study_group_id=group_id, computed_at=now, **counts
            )
            for group_id, counts in participation.items()
        )
        FundingSummary.objects.bulk_create(
            FundingSummary(
                fiscal_year=fiscal_year,
                project_id=row["project_id"],
                funder_id=row["funder_id"],
                scheme=row["scheme"],
                kind=row["kind"],
                amount=row["total"],
                computed_at=now,
            )
            for row in funding
        )
        RollupState.objects.filter(fiscal_year=fiscal_year).update(
            state=RollupState.State.IDLE, last_rolled_at=now, last_error="", task_id=""
        )
    return RollupState.objects.get(fiscal_year=fiscal_year)


def known_fiscal_years() -> list[int]:
    """Every fiscal year with meetings, funding, new memberships or earlier roll-ups (5 queries)."""
    years: set[int] = set(Meeting.objects.values_list("fiscal_year", flat=True).distinct())
    years |= set(Funding.objects.values_list("fiscal_year", flat=True).distinct())
    years |= {fiscal_year_of(d) for d in Membership.objects.dates("joined_on", "month")}
    years |= set(ParticipationSummary.objects.values_list("fiscal_year", flat=True).distinct())
    years |= set(RollupState.objects.values_list("fiscal_year", flat=True))
    return sorted(years)


def rollup_all_compute() -> list[int]:
    """Recompute every known fiscal year, oldest first (the nightly run)."""
    years = known_fiscal_years()
    for fiscal_year in years:
        rollup_fiscal_year_compute(fiscal_year=fiscal_year)
    return years


def _mark_queued(fiscal_years: Iterable[int]) -> None:
    now = timezone.now()
    for fiscal_year in fiscal_years:
        _state_for(fiscal_year)
    RollupState.objects.filter(fiscal_year__in=list(fiscal_years)).update(
        state=RollupState.State.QUEUED, queued_at=now, last_error=""
    )


def _mark_failed(fiscal_years: Iterable[int], message: str) -> None:
    RollupState.objects.filter(
        fiscal_year__in=list(fiscal_years), state=RollupState.State.QUEUED
    ).update(state=RollupState.State.FAILED, last_error=message)


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError

    errors: list[type[BaseException]] = [OperationalError, OSError, TimeoutError]
    try:
        from redis.exceptions import RedisError

        errors.append(RedisError)
    except ImportError:  # pragma: no cover - redis ships with celery[redis]
        pass
    return tuple(errors)


def rollup_enqueue(*, fiscal_years: Iterable[int]) -> list[str]:
    """Queue a roll-up of each fiscal year; returns task ids.

    Raises RollupEnqueueError quickly (broker timeouts are short, publishing is not retried) when
    the broker cannot be reached, and marks those years as failed so the status panel says so.
    """
    from .tasks import rollup_fiscal_year

    years = sorted(set(fiscal_years))
    _mark_queued(years)
    task_ids = []
    try:
        for fiscal_year in years:
            result = rollup_fiscal_year.delay(fiscal_year)
            task_ids.append(result.id)
            RollupState.objects.filter(
                fiscal_year=fiscal_year, state=RollupState.State.QUEUED
            ).update(task_id=result.id or "")
    except _broker_errors() as exc:
        message = _("集計サーバー（タスクキュー）に接続できません: %(error)s") % {"error": exc}
        logger.warning("roll-up enqueue failed for %s: %s", years, exc)
        _mark_failed(years, message)
        raise RollupEnqueueError(message) from exc
    return task_ids


def rollup_enqueue_all() -> list[str]:
    """Queue a roll-up of every known fiscal year (the administrator's "full recompute")."""
    return rollup_enqueue(fiscal_years=known_fiscal_years())


def rollup_enqueue_on_commit(*, fiscal_years: Iterable[int]) -> None:
    """After the current transaction commits, queue roll-ups of these years.

    A dead broker must not undo or fail the write that triggered this: the error is logged and
    recorded on the years' status instead.
    """
    years = {int(fy) for fy in fiscal_years if fy is not None}
    if not years:
        return
    pending = _pending_years()
    pending.update(years)

    def enqueue() -> None:
        # An import sends one signal per row: the first callback of the commit takes the year,
        # the others find it gone, so each year is queued once per commit.
        todo = sorted(years & pending)
        pending.difference_update(todo)
        if todo:
            # Already logged and shown on the status panel when it fails.
            with contextlib.suppress(RollupEnqueueError):
                rollup_enqueue(fiscal_years=todo)

    transaction.on_commit(enqueue)


_local = threading.local()


def _pending_years() -> set[int]:
    """Years waiting for this thread's commit (per thread: each request commits on its own)."""
    if not hasattr(_local, "years"):
        _local.years = set()
    return _local.years


def export_log_record(
    *,
    user,
    kind: str,
    fiscal_year: int | None,
    filename: str,
    file_format: str,
    personal_data: bool,
    via: str = "web",
) -> ExportLog:
    """Remember who took which file (exports of personal data must be traceable)."""
    return ExportLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        kind=kind,
        fiscal_year=fiscal_year,
        filename=filename,
        file_format=file_format,
        personal_data=personal_data,
        via=via,
    )
