"""Celery tasks of the reports app: thin wrappers around the roll-up services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reports.rollup_fiscal_year", acks_late=True)
def rollup_fiscal_year(fiscal_year: int) -> int:
    """Recompute one fiscal year (idempotent, so late acknowledgement is safe)."""
    services.rollup_fiscal_year_compute(fiscal_year=int(fiscal_year))
    return int(fiscal_year)


@shared_task(name="reports.rollup_meeting", acks_late=True)
def rollup_meeting(fiscal_year: int, meeting_id: int, person_ids: list[int]) -> int:
    """Recount one meeting's study group and people in its year (idempotent)."""
    services.rollup_meeting_compute(
        fiscal_year=int(fiscal_year),
        meeting_id=int(meeting_id),
        person_ids=[int(pk) for pk in person_ids],
    )
    return int(fiscal_year)


@shared_task(name="reports.rollup_all", acks_late=True)
def rollup_all() -> list[int]:
    """Nightly: recompute every fiscal year."""
    return services.rollup_all_compute()
