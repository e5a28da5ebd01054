"""Writes of the reports app: recomputing roll-ups, asking the queue for them, logging exports."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable
from typing import NoReturn

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start
from events.models import Attendance, AttendanceStatus, Meeting
from members.models import Membership, Organisation
from projects.models import Funding

from .models import (
    ExportLog,
    FiscalYearAttendee,
    FundingSummary,
    ParticipationSummary,
    RollupState,
)
from .rollup import (
    COUNT_FIELDS,
    SECTOR_COLUMNS,
    compute_funding,
    compute_participation,
    family,
    sector_column,
)

logger = logging.getLogger(__name__)

# The summary columns that add up over study groups (the others are distinct counts).
SUM_FIELDS = ("meetings", "attendance_total", "absent", "excused")


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


# --- incremental roll-up of one meeting ----------------------------------------------------------


def _attendees_insert(fiscal_year: int, person_ids: list[int] | None) -> None:
    """(Re)write the year's FiscalYearAttendee rows from attendance: all, or these people's.

    One INSERT … SELECT … GROUP BY in the database; for some people it reads only their own
    attendance (the attendance_person index), joined to the meetings of that year.
    """
    attendee = FiscalYearAttendee._meta
    attendance = Attendance._meta.db_table
    meeting = Meeting._meta.db_table
    q = connection.ops.quote_name
    params: list[object] = [fiscal_year, fiscal_year, AttendanceStatus.ATTENDED]
    people = ""
    if person_ids is not None:
        placeholders = ", ".join(["%s"] * len(person_ids))
        people = f" AND a.person_id IN ({placeholders})"
        params += person_ids
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(attendee.db_table)} (fiscal_year, person_id, organisation_id, "
            f"attended) SELECT %s, a.person_id, a.organisation_id, COUNT(*) "
            f"FROM {q(attendance)} a JOIN {q(meeting)} m ON m.id = a.meeting_id "
            f"WHERE m.fiscal_year = %s AND a.status = %s{people} "
            "GROUP BY a.person_id, a.organisation_id",
            params,
        )


def _attendees_refresh(fiscal_year: int, person_ids: list[int]) -> dict[str, int]:
    """Recount these people's attendance in the year (the rest of the year is untouched).

    Returns how the consortium's distinct counts change: 参加者実数 by the people who appear or
    disappear, 参加団体数 and the sector columns by the organisations that gain their first
    attendee or lose their last (6 small queries, none over the whole year).
    """
    change = dict.fromkeys(("unique_people", "organisations", *SECTOR_COLUMNS), 0)
    if not person_ids:
        return change
    theirs = FiscalYearAttendee.objects.filter(fiscal_year=fiscal_year, person_id__in=person_ids)
    before = set(theirs.values_list("person_id", "organisation_id"))
    theirs.delete()
    _attendees_insert(fiscal_year, person_ids)
    after = set(theirs.values_list("person_id", "organisation_id"))
    change["unique_people"] = len({p for p, _o in after}) - len({p for p, _o in before})
    touched = {o for _p, o in before | after}
    if not touched:
        return change
    # Organisations that other people attended for are present before and after alike.
    others = set(
        FiscalYearAttendee.objects.filter(fiscal_year=fiscal_year, organisation_id__in=touched)
        .exclude(person_id__in=person_ids)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    present_before = {o for _p, o in before} | others
    present_after = {o for _p, o in after} | others
    for org_id, sector, is_local in Organisation.objects.filter(pk__in=touched).values_list(
        "pk", "sector", "is_local"
    ):
        delta = (org_id in present_after) - (org_id in present_before)
        if delta:
            change["organisations"] += delta
            column = sector_column(sector, is_local)
            if column:
                change[column] += delta
    return change


def _attendees_rebuild(fiscal_year: int) -> None:
    FiscalYearAttendee.objects.filter(fiscal_year=fiscal_year).delete()
    _attendees_insert(fiscal_year, None)


def _consortium_counts(fiscal_year: int) -> dict[str, int]:
    """The whole consortium's row without reading the year's attendance beyond the meetings
    without a study group.

    Sums: the top-level study groups' stored rows (each covers its subcommittees) plus the
    meetings without a study group; distinct people and organisations: FiscalYearAttendee.
    """
    counts = dict.fromkeys(COUNT_FIELDS, 0)
    stored = _top_level_sums(fiscal_year)
    loose = compute_participation(fiscal_year, groups=family(None)).get(None, counts)
    for name in SUM_FIELDS:
        counts[name] = stored[name] + loose[name]
    attendees = FiscalYearAttendee.objects.filter(fiscal_year=fiscal_year)
    counts["unique_people"] = attendees.values("person_id").distinct().count()
    for sector, is_local, n in (
        Organisation.objects.filter(pk__in=Subquery(attendees.values("organisation_id")))
        .values("sector", "is_local")
        .annotate(n=Count("pk"))
        .values_list("sector", "is_local", "n")
        .order_by()
    ):
        counts["organisations"] += n
        column = sector_column(sector, is_local)
        if column:
            counts[column] += n
    counts["new_members"] = (
        Membership.objects.filter(
            joined_on__gte=fiscal_year_start(fiscal_year),
            joined_on__lte=fiscal_year_end(fiscal_year),
        )
        .values("organisation_id")
        .distinct()
        .count()
    )
    return counts


def _top_level_sums(fiscal_year: int) -> dict[str, int]:
    """The stored rows of the top-level study groups, summed (each covers its subcommittees)."""
    sums = ParticipationSummary.objects.filter(
        fiscal_year=fiscal_year, study_group__isnull=False, study_group__parent__isnull=True
    ).aggregate(**{name: Sum(name) for name in SUM_FIELDS})
    return {name: sums[name] or 0 for name in SUM_FIELDS}


def rollup_meeting_compute(
    *, fiscal_year: int, meeting_id: int, person_ids: Iterable[int]
) -> RollupState:
    """After one meeting's attendance or headcount was saved: bring its year's rows up to date
    by reading only that meeting's study-group family and those people's attendance of the year.

    The family's rows (top-level group and subcommittees) are recomputed from their meetings; the
    consortium row from the stored top-level rows, the meetings without a group and the year's
    FiscalYearAttendee rows, of which only ``person_ids``' are recounted. Falls back to the full
    roll-up of the year when the meeting moved or vanished, the year was never rolled up, or its
    attendee rows are not current. Serialised with the full roll-up by the year's RollupState row.
    """
    person_ids = sorted({int(pk) for pk in person_ids})
    meeting = (
        Meeting.objects.filter(pk=meeting_id).values_list("fiscal_year", "study_group_id").first()
    )
    if meeting is None or meeting[0] != fiscal_year:
        return rollup_fiscal_year_compute(fiscal_year=fiscal_year)
    with transaction.atomic():
        now = timezone.now()
        # The row lock first: a full roll-up of the year waits for us, or we for it.
        locked = RollupState.objects.filter(fiscal_year=fiscal_year).update(started_at=now)
        state = RollupState.objects.get(fiscal_year=fiscal_year) if locked else None
        if state is None or state.last_rolled_at is None:  # never rolled up: the whole year
            return rollup_fiscal_year_compute(fiscal_year=fiscal_year)
        groups = family(meeting[1])
        top = next(iter(groups))  # None: the meeting has no study group
        summaries = ParticipationSummary.objects.filter(fiscal_year=fiscal_year)
        old = {
            row["study_group_id"]: row
            for row in summaries.filter(Q(study_group=None) | Q(study_group=top)).values(
                "study_group_id", *COUNT_FIELDS
            )
        }
        change = None
        if state.attendees_ready and None in old:
            change = _attendees_refresh(fiscal_year, person_ids)
        else:
            _attendees_rebuild(fiscal_year)
        rows = compute_participation(fiscal_year, groups=groups)
        own = [g for g in groups if g is not None]
        summaries.filter(study_group__in=own).delete()
        ParticipationSummary.objects.bulk_create(
            ParticipationSummary(
                fiscal_year=fiscal_year, study_group_id=group_id, computed_at=now, **rows[group_id]
            )
            for group_id in own
            if group_id in rows
        )
        if change is None:
            total = _consortium_counts(fiscal_year)
        else:
            total = {name: old[None][name] + change.get(name, 0) for name in COUNT_FIELDS}
            zero = dict.fromkeys(COUNT_FIELDS, 0)
            if top is None:  # the meetings without a group were just recounted on their own
                stored = _top_level_sums(fiscal_year)
                for name in SUM_FIELDS:
                    total[name] = stored[name] + rows.get(None, zero)[name]
            else:  # the family's top-level row changed by this much
                for name in SUM_FIELDS:
                    total[name] += rows.get(top, zero)[name] - old.get(top, zero)[name]
        if None in old:
            summaries.filter(study_group=None).update(**total, computed_at=now)
        else:
            ParticipationSummary.objects.create(
                fiscal_year=fiscal_year, study_group=None, computed_at=now, **total
            )
        RollupState.objects.filter(fiscal_year=fiscal_year).update(
            state=RollupState.State.IDLE,
            last_rolled_at=now,
            last_error="",
            task_id="",
            attendees_ready=True,
        )
    state.state, state.last_rolled_at, state.last_error = RollupState.State.IDLE, now, ""
    state.task_id, state.attendees_ready = "", True
    return state


def known_fiscal_years() -> list[int]:
    """Every fiscal year with meetings, funding, new memberships or earlier roll-ups (5 queries)."""
    years: set[int] = set(Meeting.objects.values_list("fiscal_year", flat=True).distinct())
    years |= set(Funding.objects.values_list("fiscal_year", flat=True).distinct())
    years |= {fiscal_year_of(d) for d in Membership.objects.dates("joined_on", "month")}
    years |= set(ParticipationSummary.objects.values_list("fiscal_year", flat=True).distinct())
    years |= set(RollupState.objects.values_list("fiscal_year", flat=True))
    return sorted(years)


def rollup_all_compute() -> list[int]:
    """Recompute every known fiscal year, oldest first (the nightly run).

    The years' FiscalYearAttendee rows are marked stale too, so that anything that reached the
    attendance without the events services is recounted by the next incremental roll-up.
    """
    years = known_fiscal_years()
    RollupState.objects.filter(fiscal_year__in=years).update(attendees_ready=False)
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
        _broker_down(years, exc)
    return task_ids


def _broker_down(years: list[int], exc: BaseException) -> NoReturn:
    """Mark the years failed with a message for people, and raise it."""
    message = _("集計サーバー（タスクキュー）に接続できません: %(error)s") % {"error": exc}
    logger.warning("roll-up enqueue failed for %s: %s", years, exc)
    _mark_failed(years, message)
    raise RollupEnqueueError(message) from exc


def rollup_enqueue_all() -> list[str]:
    """Queue a roll-up of every known fiscal year (the administrator's "full recompute")."""
    return rollup_enqueue(fiscal_years=known_fiscal_years())


def rollup_enqueue_on_commit(*, fiscal_years: Iterable[int], attendees_stale: bool = False) -> None:
    """After the current transaction commits, queue roll-ups of these years.

    ``attendees_stale``: attendance changed in ways the incremental roll-up does not follow
    (imports, deleted or moved meetings); the years' FiscalYearAttendee rows are marked stale
    before the roll-up is queued. A dead broker must not undo or fail the write that triggered
    this: the error is logged and recorded on the years' status instead.
    """
    years = {int(fy) for fy in fiscal_years if fy is not None}
    if not years:
        return
    pending = _pending("years")
    pending.update(years)
    stale = _pending("stale")
    if attendees_stale:
        stale.update(years)

    def enqueue() -> None:
        # An import sends one signal per row: the first callback of the commit takes the year,
        # the others find it gone, so each year is queued once per commit.
        todo = sorted(years & pending)
        pending.difference_update(todo)
        stale_now = sorted(years & stale)
        stale.difference_update(stale_now)
        if stale_now:
            RollupState.objects.filter(fiscal_year__in=stale_now).update(attendees_ready=False)
        if todo:
            # Already logged and shown on the status panel when it fails.
            with contextlib.suppress(RollupEnqueueError):
                rollup_enqueue(fiscal_years=todo)

    transaction.on_commit(enqueue)


def rollup_meeting_enqueue_on_commit(
    *, fiscal_year: int, meeting_id: int, person_ids: Iterable[int]
) -> None:
    """After the current transaction commits, queue the incremental roll-up of one meeting."""
    key = (int(fiscal_year), int(meeting_id))
    meetings = _pending("meetings", dict)
    meetings.setdefault(key, set()).update(int(pk) for pk in person_ids)

    def enqueue() -> None:
        if key not in meetings:  # taken by an earlier callback of the same commit
            return
        people = sorted(meetings.pop(key))
        with contextlib.suppress(RollupEnqueueError):
            rollup_meeting_enqueue(fiscal_year=key[0], meeting_id=key[1], person_ids=people)

    transaction.on_commit(enqueue)


def rollup_meeting_enqueue(*, fiscal_year: int, meeting_id: int, person_ids: list[int]) -> str:
    """Queue the incremental roll-up of one meeting; raises RollupEnqueueError like
    ``rollup_enqueue`` when the broker cannot be reached."""
    from .tasks import rollup_meeting

    _mark_queued([fiscal_year])
    try:
        result = rollup_meeting.delay(fiscal_year, meeting_id, person_ids)
    except _broker_errors() as exc:
        _broker_down([fiscal_year], exc)
    RollupState.objects.filter(fiscal_year=fiscal_year, state=RollupState.State.QUEUED).update(
        task_id=result.id or ""
    )
    return result.id


_local = threading.local()


def _pending(name: str, kind: type = set):
    """What waits for this thread's commit (per thread: each request commits on its own)."""
    if not hasattr(_local, name):
        setattr(_local, name, kind())
    return getattr(_local, name)


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
