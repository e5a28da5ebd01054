"""Subscriptions to the lower apps' domain signals: a change in a fiscal year makes that year's
roll-up stale, so that year (and only that year) is recomputed after the change commits; personal
data exported by a lower app (the admin's roster) is written to the export log."""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import receiver

from events.models import Attendance, Meeting
from events.signals import attendance_changed
from members.models import Membership
from members.services import membership_fiscal_years
from members.signals import (
    membership_changed,
    organisation_changed,
    person_changed,
    personal_data_exported,
    study_group_changed,
)
from projects.models import Application
from projects.signals import (
    award_changed,
    call_changed,
    catalogue_changed,
    funding_changed,
    outcome_changed,
)

from .services import (
    ExportedFile,
    export_log_record,
    known_fiscal_years,
    rollup_enqueue_on_commit,
    rollup_meeting_enqueue_on_commit,
)


@receiver(attendance_changed, dispatch_uid="reports.attendance_changed")
def attendance_changed_in(
    sender, fiscal_years=(), meeting_id=None, person_ids=(), meeting_itself=False, **kwargs
) -> None:
    years = set(fiscal_years or ())
    if meeting_id is not None and len(years) == 1:
        # One meeting changed: recount its study group's family and its people only (and the
        # year's 実績指標 when the meeting's kind, status, visitors or exhibitors changed).
        rollup_meeting_enqueue_on_commit(
            fiscal_year=years.pop(),
            meeting_id=meeting_id,
            person_ids=person_ids or (),
            meeting_itself=meeting_itself,
        )
    else:
        rollup_enqueue_on_commit(fiscal_years=years, attendees_stale=True)


@receiver(funding_changed, dispatch_uid="reports.funding_changed")
def fiscal_years_changed(sender, fiscal_years=(), **kwargs) -> None:
    rollup_enqueue_on_commit(fiscal_years=fiscal_years or ())


@receiver(call_changed, dispatch_uid="reports.call_changed")
def call_years_changed(sender, fiscal_years=(), **kwargs) -> None:
    """公募 count in the budget year of the call: only that year's figures move."""
    rollup_enqueue_on_commit(fiscal_years=fiscal_years or ())


@receiver(award_changed, dispatch_uid="reports.award_changed")
@receiver(outcome_changed, dispatch_uid="reports.outcome_changed")
def indicator_years_changed(sender, fiscal_years=(), **kwargs) -> None:
    """認定件数 and 成果 (実績指標) count in the fiscal year of the grant or the outcome's date."""
    rollup_enqueue_on_commit(fiscal_years=fiscal_years or ())


@receiver(catalogue_changed, dispatch_uid="reports.catalogue_changed")
def catalogue_years_changed(sender, entry_ids=(), fiscal_years=(), **kwargs) -> None:
    """新規掲載 moves only when an entry is published for the first time (the service names
    that year); edits, reviews and archiving leave the figures as they are."""
    if fiscal_years:
        rollup_enqueue_on_commit(fiscal_years=fiscal_years)


def _and_later(years: set[int]) -> set[int]:
    """新規加入団体 counts an organisation in the year of its *first* join: a membership change
    in one year moves the count of every later year too."""
    if not years:
        return set()
    first = min(years)
    return set(years) | {year for year in known_fiscal_years() if year >= first}


@receiver(membership_changed, dispatch_uid="reports.membership_changed")
def memberships_changed(sender, fiscal_years=(), **kwargs) -> None:
    rollup_enqueue_on_commit(fiscal_years=_and_later(set(fiscal_years or ())))


def _meeting_years(meetings) -> set[int]:
    return set(meetings.order_by().values_list("fiscal_year", flat=True).distinct())


@receiver(organisation_changed, dispatch_uid="reports.organisation_changed")
def organisation_changed_in(
    sender: object,
    organisation_id: int | None = None,
    organisation_ids: Iterable[int] = (),
    **kwargs: object,
) -> None:
    """区分 or 市内 decide the sector columns of every year the organisations attended in, the
    new-member count of the years they joined groups in, and the sector rows of 公募 in the
    years they applied in. (One organisation, or a roster import's many at once.)"""
    ids = {*organisation_ids, *([organisation_id] if organisation_id else [])}
    attended = Attendance.objects.filter(organisation_id__in=ids)
    years = set(attended.order_by().values_list("meeting__fiscal_year", flat=True).distinct())
    years |= set(
        Application.objects.filter(organisation_id__in=ids)
        .order_by()
        .values_list("call__fiscal_year", flat=True)
        .distinct()
    )
    years |= _and_later(membership_fiscal_years(Membership.objects.filter(organisation_id__in=ids)))
    rollup_enqueue_on_commit(fiscal_years=years, attendees_stale=True)


@receiver(study_group_changed, dispatch_uid="reports.study_group_changed")
def study_group_changed_in(sender, study_group_id, **kwargs) -> None:
    """A subcommittee under another parent counts in another family from now on."""
    years = _meeting_years(Meeting.objects.filter(study_group_id=study_group_id))
    years |= _and_later(
        membership_fiscal_years(Membership.objects.filter(study_group_id=study_group_id))
    )
    rollup_enqueue_on_commit(fiscal_years=years, attendees_stale=True)


@receiver(person_changed, dispatch_uid="reports.person_changed")
def person_changed_in(sender, person_id, **kwargs) -> None:
    """Attendance keeps the organisation the person came for, but the years they attended in
    are recounted all the same, so the stored rows never depend on when the move happened."""
    years = _meeting_years(Meeting.objects.filter(attendances__person_id=person_id))
    rollup_enqueue_on_commit(fiscal_years=years, attendees_stale=True)


@receiver(personal_data_exported, dispatch_uid="reports.personal_data_exported")
def personal_data_exported_in(sender, user, via: str, **file) -> None:
    """``file``: the signal's ``kind``, ``filename``, ``file_format`` and ``rows``."""
    # The lower apps cannot import the export log; they announce the export, reports records it.
    export_log_record(
        user=user,
        exported=ExportedFile(
            kind=file["kind"],
            filename=file["filename"],
            file_format=file["file_format"],
            personal_data=True,
            rows=file["rows"],
        ),
        via=via,
    )
