"""Subscriptions to the lower apps' domain signals: a change in a fiscal year makes that year's
roll-up stale, so that year (and only that year) is recomputed after the change commits."""

from __future__ import annotations

from django.dispatch import receiver

from events.signals import attendance_changed
from members.signals import membership_changed
from projects.signals import funding_changed

from .services import rollup_enqueue_on_commit, rollup_meeting_enqueue_on_commit


@receiver(attendance_changed, dispatch_uid="reports.attendance_changed")
def attendance_changed_in(
    sender, fiscal_years=(), meeting_id=None, person_ids=(), **kwargs
) -> None:
    years = set(fiscal_years or ())
    if meeting_id is not None and len(years) == 1:
        # One meeting changed: recount its study group's family and its people only.
        rollup_meeting_enqueue_on_commit(
            fiscal_year=years.pop(), meeting_id=meeting_id, person_ids=person_ids or ()
        )
    else:
        rollup_enqueue_on_commit(fiscal_years=years, attendees_stale=True)


@receiver(membership_changed, dispatch_uid="reports.membership_changed")
@receiver(funding_changed, dispatch_uid="reports.funding_changed")
def fiscal_years_changed(sender, fiscal_years=(), **kwargs) -> None:
    rollup_enqueue_on_commit(fiscal_years=fiscal_years or ())
