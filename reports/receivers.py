"""Subscriptions to the lower apps' domain signals: a change in a fiscal year makes that year's
roll-up stale, so that year (and only that year) is recomputed after the change commits."""

from __future__ import annotations

from django.dispatch import receiver

from events.signals import attendance_changed
from members.signals import membership_changed
from projects.signals import funding_changed

from .services import rollup_enqueue_on_commit


@receiver(attendance_changed, dispatch_uid="reports.attendance_changed")
@receiver(membership_changed, dispatch_uid="reports.membership_changed")
@receiver(funding_changed, dispatch_uid="reports.funding_changed")
def fiscal_years_changed(sender, fiscal_years=(), **kwargs) -> None:
    rollup_enqueue_on_commit(fiscal_years=fiscal_years or ())
