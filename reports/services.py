"""Writes of the reports app: recomputing roll-ups, asking the queue for them, logging exports."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn, TypeGuard

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, Q, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.fiscal import fiscal_year_of
from events.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from members.models import Membership, Organisation
from projects.catalogue.models import AwardGrant, Entry
from projects.models import Call, Funding, Outcome

from .indicators import compute_indicators
from .models import (
    CallSummary,
    ExportLog,
    FiscalYearAttendee,
    FundingSummary,
    IndicatorSummary,
    ParticipationSummary,
    RollupState,
)
from .rollup import (
    COUNT_FIELDS,
    SECTOR_COLUMNS,
    compute_calls,
    compute_funding,
    compute_participation,
    consortium_new_members,
    family,
    sector_column,
)

logger = logging.getLogger(__name__)

# The summary columns that add up over study groups (the others are distinct counts).
SUM_FIELDS = ("meetings", "attendance_total", "public_participants", "absent", "excused")


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
    SQLite), so the second waits for the first and then writes the same rows again. The lock is
    held until the rows are written: a year marked running whose row is not locked belongs to a
    run that died (``rollup_pending_enqueue``).
    """
    _state_for(fiscal_year)
    # Committed on its own so the status panel can show "running" while we work; started_at is
    # also the lease that ``rollup_pending_enqueue`` reads where there are no row locks.
    RollupState.objects.filter(fiscal_year=fiscal_year).update(
        state=RollupState.State.RUNNING, started_at=timezone.now()
    )
    with transaction.atomic():
        RollupState.objects.filter(fiscal_year=fiscal_year).update(started_at=timezone.now())
        now = timezone.now()
        participation = compute_participation(fiscal_year)
        funding = compute_funding(fiscal_year)
        calls = compute_calls(fiscal_year)
        ParticipationSummary.objects.filter(fiscal_year=fiscal_year).delete()
        FundingSummary.objects.filter(fiscal_year=fiscal_year).delete()
        CallSummary.objects.filter(fiscal_year=fiscal_year).delete()
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
        CallSummary.objects.bulk_create(
            CallSummary(fiscal_year=fiscal_year, sector=sector, computed_at=now, **counts)
            for sector, counts in calls.items()
        )
        _indicators_store(fiscal_year, now)
        RollupState.objects.filter(fiscal_year=fiscal_year).update(
            # Queued again before we took the lock: that task runs too, so the year stays queued.
            state=Case(
                When(state=RollupState.State.QUEUED, then=Value(RollupState.State.QUEUED)),
                default=Value(RollupState.State.IDLE),
            ),
            last_rolled_at=now,
            last_error="",
            task_id="",
            # The consortium row now counts ticks whose recount is still queued; their
            # FiscalYearAttendee rows are not, so the next recount rebuilds them instead of
            # adding those ticks a second time.
            attendees_ready=False,
        )
    return RollupState.objects.get(fiscal_year=fiscal_year)


def _indicators_store(fiscal_year: int, now) -> None:
    """Replace the year's 実績指標 rows (``reports.indicators``): a handful of small queries, so
    the incremental roll-up of a meeting recomputes them all too."""
    values = compute_indicators(fiscal_year)
    IndicatorSummary.objects.filter(fiscal_year=fiscal_year).delete()
    IndicatorSummary.objects.bulk_create(
        IndicatorSummary(fiscal_year=fiscal_year, indicator=key, value=value, computed_at=now)
        for key, value in values.items()
    )


# --- incremental roll-up of one meeting ----------------------------------------------------------


def _attendees_insert(fiscal_year: int, person_ids: list[int] | None) -> None:
    """(Re)write the year's FiscalYearAttendee rows from attendance at held meetings: all, or
    these people's.

    One INSERT … SELECT … GROUP BY in the database; for some people it reads only their own
    attendance (the attendance_person index), joined to the meetings of that year.
    """
    attendee = FiscalYearAttendee._meta
    attendance = Attendance._meta.db_table
    meeting = Meeting._meta.db_table
    q = connection.ops.quote_name
    params: list[int | str] = [
        fiscal_year,
        fiscal_year,
        MeetingStatus.HELD,
        AttendanceStatus.ATTENDED,
    ]
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
            f"WHERE m.fiscal_year = %s AND m.status = %s AND a.status = %s{people} "
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
    counts["new_members"] = consortium_new_members(fiscal_year)
    return counts


def _top_level_sums(fiscal_year: int) -> dict[str, int]:
    """The stored rows of the top-level study groups, summed (each covers its subcommittees)."""
    sums = ParticipationSummary.objects.filter(
        fiscal_year=fiscal_year, study_group__isnull=False, study_group__parent__isnull=True
    ).aggregate(**{name: Sum(name) for name in SUM_FIELDS})
    return {name: sums[name] or 0 for name in SUM_FIELDS}


def _incremental_possible(state: RollupState | None) -> TypeGuard[RollupState]:
    """Whether a recount of one meeting can bring the year up to date: not when the year was
    never rolled up, or its last full roll-up failed or died (a recount of some people would not
    make up for what that run missed)."""
    return (
        state is not None
        and state.last_rolled_at is not None
        and state.state not in (RollupState.State.FAILED, RollupState.State.RUNNING)
    )


def _consortium_counts_changed(
    fiscal_year: int,
    *,
    old: dict[int | None, dict],
    change: dict[str, int],
    rows: dict[int | None, dict[str, int]],
    top: int | None,
) -> dict[str, int]:
    """The consortium row after one meeting's recount: its ``old`` stored values, the distinct
    counts moved by ``change`` (``_attendees_refresh``) and the sums moved by what the
    recounted family's rows (``rows``, top-level group ``top``) changed by."""
    total = {name: old[None][name] + change.get(name, 0) for name in COUNT_FIELDS}
    zero = dict.fromkeys(COUNT_FIELDS, 0)
    if top is None:  # the meetings without a group were just recounted on their own
        stored = _top_level_sums(fiscal_year)
        for name in SUM_FIELDS:
            total[name] = stored[name] + rows.get(None, zero)[name]
    else:  # the family's top-level row changed by this much
        for name in SUM_FIELDS:
            total[name] += rows.get(top, zero)[name] - old.get(top, zero)[name]
    return total


def rollup_meeting_compute(
    *, fiscal_year: int, meeting_id: int, person_ids: Iterable[int], meeting_itself: bool = False
) -> RollupState:
    """After one meeting's attendance, headcount or status was saved: bring its year's rows up
    to date by reading only that meeting's study-group family and those people's attendance of
    the year. (A status change names everybody with attendance at the meeting: held, it adds
    them; cancelled, it takes them out.)

    The family's rows (top-level group and subcommittees) are recomputed from their meetings; the
    consortium row from the stored top-level rows, the meetings without a group and the year's
    FiscalYearAttendee rows, of which only ``person_ids``' are recounted. Falls back to the full
    roll-up of the year when the meeting moved or vanished, the year was never rolled up, or its
    attendee rows are not current. Serialised with the full roll-up by the year's RollupState row.

    ``meeting_itself``: the meeting's kind, status, visitor count or exhibitors changed, so the
    year's 実績指標 are replaced too (a tick or a headcount leaves them as they are).
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
        if not _incremental_possible(state):
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
            total = _consortium_counts_changed(
                fiscal_year, old=old, change=change, rows=rows, top=top
            )
        if None in old:
            summaries.filter(study_group=None).update(**total, computed_at=now)
        else:
            ParticipationSummary.objects.create(
                fiscal_year=fiscal_year, study_group=None, computed_at=now, **total
            )
        if meeting_itself:  # its kind, status, visitors or exhibitors: the 実績指標 move
            _indicators_store(fiscal_year, now)
        # The state is the full roll-up's: a full one still queued is still needed after us.
        RollupState.objects.filter(fiscal_year=fiscal_year).update(
            last_rolled_at=now, attendees_ready=True
        )
    state.last_rolled_at, state.attendees_ready = now, True
    return state


def known_fiscal_years() -> list[int]:
    """Every fiscal year with meetings, funding, calls (公募, by budget year), new memberships,
    outcomes, awards, first publications of catalogue entries or earlier roll-ups (9 queries)."""
    years: set[int] = set(Meeting.objects.values_list("fiscal_year", flat=True).distinct())
    years |= set(Funding.objects.values_list("fiscal_year", flat=True).distinct())
    years |= set(Call.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    years |= {fiscal_year_of(d) for d in Membership.objects.dates("joined_on", "month")}
    years |= {fiscal_year_of(d) for d in Outcome.objects.dates("date", "month")}
    years |= set(AwardGrant.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    years |= {
        fiscal_year_of(d)
        for d in Entry.objects.filter(first_published_at__isnull=False).datetimes(
            "first_published_at", "month"
        )
    }
    years |= set(ParticipationSummary.objects.values_list("fiscal_year", flat=True).distinct())
    years |= set(RollupState.objects.values_list("fiscal_year", flat=True))
    return sorted(years)


def _every_year_afresh() -> list[int]:
    """Every known fiscal year, with its FiscalYearAttendee rows marked stale, so that anything
    that reached the attendance without the events services is recounted by the next
    incremental roll-up (the nightly run and the administrator's full recompute)."""
    years = known_fiscal_years()
    _years_update(years, attendees_ready=False)
    return years


def rollup_all_compute() -> list[int]:
    """Recompute every known fiscal year here and now, oldest first (``manage.py rollup``)."""
    years = _every_year_afresh()
    for fiscal_year in years:
        rollup_fiscal_year_compute(fiscal_year=fiscal_year)
    return years


def rollup_requested_compute(*, fiscal_year: int) -> RollupState:
    """The queued task's roll-up of a year: recompute it, unless the year is idle.

    Idle means that no full roll-up is owed: every change asked for one, and the last run began
    after the last of them. So a second delivery of the same task (redelivered by the broker,
    or queued again by ``rollup_pending_enqueue`` while the first was only late) does no work.
    """
    state = RollupState.objects.filter(fiscal_year=fiscal_year).first()
    if state is not None and state.state == RollupState.State.IDLE and state.last_rolled_at:
        return state
    return rollup_fiscal_year_compute(fiscal_year=fiscal_year)


def rollup_failed_record(*, fiscal_year: int, error: str) -> None:
    """A year's task failed for good: the status panel says so and the sweep queues the whole
    year again (a year queued again in the meantime stays queued: that task is on its way)."""
    message = _("集計に失敗しました: %(error)s") % {"error": error}
    RollupState.objects.filter(fiscal_year=fiscal_year).exclude(
        state=RollupState.State.QUEUED
    ).update(state=RollupState.State.FAILED, last_error=message[:2000])


# --- asking the queue for roll-ups ---------------------------------------------------------------
# A year's RollupState row says what the queue owes it, and nothing about it is kept in the
# process: *queued*, a full roll-up is published and has not started (it will read every change
# committed before it starts); *running*, a worker is computing it and holds the row lock;
# *failed*, the publish or the run failed; *idle*, nothing is owed. A recount of one meeting
# leaves the state alone.


def _years_update(fiscal_years: Iterable[int], **values) -> int:
    """Write several years' rows, their row locks taken in the order of the year.

    Every writer of more than one year's row goes through here (a worker's roll-up holds just its
    own year's). A single UPDATE of several rows locks them in the order it meets them in the
    table, which two processes can see differently as rows get new versions: two recomputes, or a
    recompute and an edit's after-commit, would each hold a row the other waits for (PostgreSQL's
    ``deadlock detected``, a 500). SQLite writes one transaction at a time.
    """
    years = sorted({int(fy) for fy in fiscal_years})
    with transaction.atomic():
        rows = RollupState.objects.select_for_update().filter(fiscal_year__in=years)
        locked = list(rows.order_by("fiscal_year").values_list("pk", flat=True))
        return RollupState.objects.filter(pk__in=locked).update(**values)


def _states_for(fiscal_years: list[int]) -> None:
    """Every year gets its RollupState row (two processes may create the same one at once)."""
    have = set(
        RollupState.objects.filter(fiscal_year__in=fiscal_years).values_list(
            "fiscal_year", flat=True
        )
    )
    missing = [RollupState(fiscal_year=fy) for fy in fiscal_years if fy not in have]
    if missing:
        RollupState.objects.bulk_create(missing, ignore_conflicts=True)


def _mark_queued(fiscal_years: Iterable[int], *, unless_queued: bool = False) -> list[int]:
    """Mark the years queued; returns the years marked, to publish.

    ``unless_queued`` leaves out the years whose full roll-up already waits in the queue: it reads
    this change too when it starts. Each year is one conditional UPDATE, so of two processes that
    ask at once exactly one publishes.
    """
    years = sorted({int(fy) for fy in fiscal_years})
    _states_for(years)
    queued = {"state": RollupState.State.QUEUED, "queued_at": timezone.now(), "last_error": ""}
    if not unless_queued:
        _years_update(years, **queued)
        return years
    # One row per statement, in the order of the year: no statement holds two locks.
    rows = RollupState.objects.filter(fiscal_year__in=years)
    return [
        fy
        for fy in years
        if rows.filter(fiscal_year=fy).exclude(state=RollupState.State.QUEUED).update(**queued)
    ]


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError

    errors: list[type[BaseException]] = [OperationalError, OSError, TimeoutError]
    try:
        from redis.exceptions import RedisError

        errors.append(RedisError)
    except ImportError:  # pragma: no cover - redis ships with celery[redis]
        pass
    return tuple(errors)


def _publish(years: list[int]) -> list[str]:
    """Send each year's full roll-up task; the years not sent are marked failed."""
    from .tasks import rollup_fiscal_year

    task_ids: list[str] = []
    for fiscal_year in years:
        try:
            result = rollup_fiscal_year.delay(fiscal_year)
        except _broker_errors() as exc:
            _broker_down(years[len(task_ids) :], exc)
        task_ids.append(result.id)
        RollupState.objects.filter(fiscal_year=fiscal_year, state=RollupState.State.QUEUED).update(
            task_id=result.id or ""
        )
    return task_ids


def rollup_enqueue(*, fiscal_years: Iterable[int], unless_queued: bool = False) -> list[str]:
    """Queue a full roll-up of each fiscal year; returns task ids.

    Raises RollupEnqueueError quickly (broker timeouts are short, a web request does not retry
    publishing) when the broker cannot be reached, and marks those years as failed so the status
    panel says so and ``rollup_pending_enqueue`` queues them once the broker is back.
    """
    return _publish(_mark_queued(fiscal_years, unless_queued=unless_queued))


def _broker_down(years: list[int], exc: BaseException) -> NoReturn:
    """Mark the years failed with a message for people, and raise it."""
    message = _("集計サーバー（タスクキュー）に接続できません: %(error)s") % {"error": exc}
    logger.warning("roll-up enqueue failed for %s: %s", years, exc)
    _years_update(years, state=RollupState.State.FAILED, last_error=message)
    raise RollupEnqueueError(message) from exc


def rollup_enqueue_all() -> list[str]:
    """Queue a roll-up of every known fiscal year, each its own task (the nightly run and the
    administrator's "full recompute"): a worker lost in the middle loses one year's run, which
    the sweep gives back, and the other years' tasks stay in the queue."""
    return rollup_enqueue(fiscal_years=_every_year_afresh())


def rollup_pending_enqueue() -> list[int]:
    """Queue again every year whose roll-up nobody is going to do; returns those years.

    Run every minute by beat, and by the worker each time it connects to the broker. Such a year
    is *failed* (the broker was away when it was asked for, or its run failed), *queued* for
    longer than ``KYOSO_ROLLUP_REQUEUE_SECONDS`` (its task was lost with the broker's memory),
    or *running* without a run: on PostgreSQL its row is not locked (a run holds the lock until
    it commits, so its worker died); without row locks, it started longer ago than the hard task
    time limit. Queuing a year twice is harmless: see ``rollup_requested_compute``.
    """
    now = timezone.now()
    requeue = now - timedelta(seconds=settings.KYOSO_ROLLUP_REQUEUE_SECONDS)
    waiting = Q(state=RollupState.State.FAILED) | Q(state=RollupState.State.QUEUED) & (
        Q(queued_at__isnull=True) | Q(queued_at__lt=requeue)
    )
    running = Q(state=RollupState.State.RUNNING)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            rows = RollupState.objects.select_for_update(skip_locked=True).filter(waiting | running)
        else:
            lease = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
            overdue = running & (Q(started_at__isnull=True) | Q(started_at__lt=lease))
            rows = RollupState.objects.filter(waiting | overdue)
        years = sorted(rows.values_list("fiscal_year", flat=True))
        if not years:
            return []
        logger.info("rolling up again: %s", years)
        RollupState.objects.filter(fiscal_year__in=years).update(
            state=RollupState.State.QUEUED, queued_at=now, last_error=""
        )
    # A broker still away marks them failed again (and logs it); the next sweep tries again.
    with contextlib.suppress(RollupEnqueueError):
        _publish(years)
    return years


class _AfterCommit:
    """What one transaction asks of the queue, sent once after it commits.

    It sits in the transaction's own list of on-commit callbacks, where every later signal of
    the same transaction finds it (an import may send one per row, each from its own savepoint),
    so a rollback of the transaction drops it with all it collected. (What a rolled-back
    savepoint added to it stays: one roll-up too many, never one too few.) A dead broker must
    not undo or fail the write that asked: the error is logged and recorded on the years' status.
    """

    def __init__(self) -> None:
        self.years: set[int] = set()
        self.stale: set[int] = set()
        self.meetings: dict[tuple[int, int], set[int]] = {}
        self.meetings_itself: set[tuple[int, int]] = set()  # their 実績指標 are owed too
        self.sent = False

    @classmethod
    def collect(cls, add: Callable[[_AfterCommit], None]) -> None:
        conn = transaction.get_connection()
        if conn.in_atomic_block:
            # Any one still waiting commits when we do: it was registered here, in an enclosing
            # savepoint or in a released one (a rolled-back savepoint takes its own away).
            for _sids, callback, _robust in conn.run_on_commit:
                if isinstance(callback, cls) and not callback.sent:
                    add(callback)
                    return
        pending = cls()
        add(pending)
        transaction.on_commit(pending)  # runs at once outside a transaction

    def __call__(self) -> None:
        self.sent = True
        if self.stale:
            _years_update(self.stale, attendees_ready=False)
        if self.years:
            with contextlib.suppress(RollupEnqueueError):
                rollup_enqueue(fiscal_years=self.years, unless_queued=True)
        for (fiscal_year, meeting_id), people in sorted(self.meetings.items()):
            if fiscal_year in self.years:
                continue  # the year's full roll-up covers the meeting
            with contextlib.suppress(RollupEnqueueError):
                rollup_meeting_enqueue(
                    fiscal_year=fiscal_year,
                    meeting_id=meeting_id,
                    person_ids=sorted(people),
                    meeting_itself=(fiscal_year, meeting_id) in self.meetings_itself,
                )


def rollup_enqueue_on_commit(*, fiscal_years: Iterable[int], attendees_stale: bool = False) -> None:
    """After the current transaction commits, queue full roll-ups of these years (each once per
    commit, and not at all while its full roll-up already waits in the queue).

    ``attendees_stale``: attendance changed in ways the incremental roll-up does not follow
    (imports, deleted or moved meetings); the years' FiscalYearAttendee rows are marked stale
    before the roll-up is queued.
    """
    years = {int(fy) for fy in fiscal_years if fy is not None}
    if not years:
        return

    def add(pending: _AfterCommit) -> None:
        pending.years |= years
        if attendees_stale:
            pending.stale |= years

    _AfterCommit.collect(add)


def rollup_meeting_enqueue_on_commit(
    *, fiscal_year: int, meeting_id: int, person_ids: Iterable[int], meeting_itself: bool = False
) -> None:
    """After the current transaction commits, queue the incremental roll-up of one meeting
    (once per commit, with the people of every change to it, and its year's 実績指標 when any of
    the changes was of the meeting itself)."""
    key = (int(fiscal_year), int(meeting_id))
    people = {int(pk) for pk in person_ids}

    def add(pending: _AfterCommit) -> None:
        pending.meetings.setdefault(key, set()).update(people)
        if meeting_itself:
            pending.meetings_itself.add(key)

    _AfterCommit.collect(add)


def rollup_meeting_enqueue(
    *, fiscal_year: int, meeting_id: int, person_ids: list[int], meeting_itself: bool = False
) -> str:
    """Queue the incremental roll-up of one meeting. The year's state stays as it is (it tells
    whether a full roll-up is owed); when the broker cannot be reached the year is marked failed,
    so that the whole year is rolled up once it is back, and RollupEnqueueError is raised."""
    from .tasks import rollup_meeting

    _states_for([fiscal_year])
    try:
        args = (fiscal_year, meeting_id, person_ids, *((True,) if meeting_itself else ()))
        result = rollup_meeting.delay(*args)
    except _broker_errors() as exc:
        _broker_down([fiscal_year], exc)
    RollupState.objects.filter(fiscal_year=fiscal_year).update(task_id=result.id or "")
    return result.id


@dataclass(frozen=True)
class ExportedFile:
    """A file that left Kyoso, as the export log records it."""

    kind: str  # ``ExportLog.Kind``
    filename: str
    file_format: str
    personal_data: bool
    fiscal_year: int | None = None
    rows: int | None = None  # None: not counted


def export_log_record(*, user, exported: ExportedFile, via: str = "web") -> ExportLog:
    """Remember who took which file (exports of personal data must be traceable)."""
    return ExportLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        kind=exported.kind,
        fiscal_year=exported.fiscal_year,
        filename=exported.filename,
        file_format=exported.file_format,
        personal_data=exported.personal_data,
        via=via,
        rows=exported.rows,
    )
