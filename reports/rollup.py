"""The roll-up arithmetic: GROUP BY in the database over one fiscal year, never a loop over
attendance rows (only over per-group counts and distinct pairs).

Definitions (see docs/reports.md). Only *held* meetings count (``Meeting.status``): scheduled
(予定) and cancelled (中止) meetings, and attendance recorded for them, are left out of every
figure below.
- meetings: meetings held in the fiscal year (``Meeting.fiscal_year``).
- attendance_total (のべ参加者数): attendances marked *attended* + the meetings' unnamed headcount
  + public_participants.
- public_participants (一般参加者): the seats of citizens' registrations (一般参加申込, no account)
  checked in at the door; they belong to no organisation, so no other column counts them. Their
  personal data may have been deleted since (the purge keeps status, seats and check-in).
- absent / excused: attendances with those statuses (not part of のべ).
- unique_people (参加者実数): distinct persons who attended.
- organisations (参加団体数) and the sector columns: distinct organisations that attended, by the
  organisation the person came for (a person attending for two organisations counts for both).
- new_members (新規加入団体): distinct organisations whose first membership of what the row
  covers started in the fiscal year (each organisation is new once per row, across years).

公募 (``compute_calls``) count per budget year of the call (``Call.fiscal_year``), as defined on
``reports.models.CallSummary``.

A study group's row covers its own meetings and its subcommittees'; each subcommittee has its own
row; the consortium-wide row (study_group NULL) covers every meeting, including those of projects
without a study group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Min, Q, Sum
from django.utils.translation import gettext_noop

from consortium.fiscal import fiscal_year_end, fiscal_year_start
from events.models import Attendance, AttendanceStatus, Meeting, MeetingStatus, PublicRegistration
from members.models import Membership, Organisation, Sector, StudyGroup
from projects.models import Application, Call, Funding

ATTENDED = Q(status=AttendanceStatus.ATTENDED)
HELD = MeetingStatus.HELD  # the only meetings the figures count


@dataclass(frozen=True)
class SectorColumn:
    """A sector column of the participation summary: the ``ParticipationSummary`` field, its
    Japanese header (also the msgid of its label on the dashboard) and the organisations it
    counts (``members.models.Sector``; companies split by ``is_local``)."""

    name: str
    ja: str
    sector: Sector
    is_local: bool | None = None  # None: whether 市内 or not does not matter


# The one definition of the sector columns, in the order of the summary table (exports and the
# dashboard follow it). A sector without a column here (その他) counts in 参加団体数 only.
SECTORS = (
    SectorColumn("local_companies", gettext_noop("市内企業"), Sector.COMPANY, is_local=True),
    SectorColumn("outside_companies", gettext_noop("市外企業"), Sector.COMPANY, is_local=False),
    SectorColumn("universities", gettext_noop("大学・研究機関"), Sector.UNIVERSITY),
    SectorColumn("government", gettext_noop("行政"), Sector.GOVERNMENT),
    SectorColumn("financial", gettext_noop("金融機関"), Sector.FINANCIAL),
    SectorColumn("associations", gettext_noop("団体"), Sector.ASSOCIATION),
)
SECTOR_COLUMNS = tuple(column.name for column in SECTORS)
# (sector, is_local) → column, every combination spelled out: one lookup per organisation.
_COLUMN_OF: dict[tuple[str, bool], str] = {
    (column.sector, is_local): column.name
    for column in SECTORS
    for is_local in (True, False)
    if column.is_local in (None, is_local)
}

COUNT_FIELDS = (
    "meetings",
    "attendance_total",
    "public_participants",
    "absent",
    "excused",
    "unique_people",
    "organisations",
    *SECTOR_COLUMNS,
    "new_members",
)


def compute_funding(fiscal_year: int) -> list[dict]:
    """Funding of one fiscal year summed per project × funder × scheme × kind (one query).

    Applications still pending (申請中) are not money the consortium has; they are left out.
    """
    return list(
        Funding.objects.paid()
        .filter(fiscal_year=fiscal_year)
        .values("project_id", "funder_id", "scheme", "kind")
        .annotate(total=Sum("amount"))
        .order_by("project_id", "funder_id", "scheme", "kind")
    )


def _bucket(sector: str, is_local: bool) -> str:
    """``Organisation.sector_bucket`` from the two columns (companies split 市内/市外)."""
    if sector == Sector.COMPANY:
        return "local_company" if is_local else "outside_company"
    return sector


def compute_calls(fiscal_year: int) -> dict[str, dict[str, int]]:
    """公募 of one budget year: {sector bucket: counts}, "" for the whole year (3 queries).

    Definitions in ``reports.models.CallSummary``. Empty when the year has neither a published
    call nor an application; the whole year's row is there whenever the year has either.
    """
    calls = Call.objects.public().filter(fiscal_year=fiscal_year).count()
    adopted = Q(decision=Application.Decision.ADOPTED, decision_sent_at__isnull=False)
    applications = (
        Application.objects.submitted()
        .filter(call__fiscal_year=fiscal_year)
        .exclude(call__status=Call.Status.DRAFT)
        .values("organisation__sector", "organisation__is_local")
        .annotate(n=Count("pk"), adopted=Count("pk", filter=adopted))
        .values_list("organisation__sector", "organisation__is_local", "n", "adopted")
        .order_by()
    )
    # The money the adoptions created: their projects' rows of the call's own funder and scheme.
    support = (
        Funding.objects.paid()
        .filter(
            fiscal_year=fiscal_year,
            project__call_application__call__fiscal_year=fiscal_year,
            project__call_application__status=Application.Status.SUBMITTED,
            project__call_application__decision=Application.Decision.ADOPTED,
            project__call_application__decision_sent_at__isnull=False,
            funder=F("project__call_application__call__funder"),
            scheme=F("project__call_application__call__title"),
        )
        .values(
            "project__call_application__organisation__sector",
            "project__call_application__organisation__is_local",
        )
        .annotate(total=Sum("amount"))
        .values_list(
            "project__call_application__organisation__sector",
            "project__call_application__organisation__is_local",
            "total",
        )
        .order_by()
    )
    fields = ("calls", "applications", "adoptions", "support_granted")
    rows: dict[str, dict[str, int]] = {}

    def add(bucket: str, name: str, value: int) -> None:
        for key in dict.fromkeys(("", bucket)):  # a bucket is never "", but count once
            rows.setdefault(key, dict.fromkeys(fields, 0))[name] += value

    for sector, is_local, n, adoptions in applications:
        add(_bucket(sector, is_local), "applications", n)
        add(_bucket(sector, is_local), "adoptions", adoptions)
    for sector, is_local, total in support:
        add(_bucket(sector, is_local), "support_granted", total or 0)
    if calls or rows:
        rows.setdefault("", dict.fromkeys(fields, 0))["calls"] = calls
    return rows


def _keys(group_id: int | None, parents: dict[int, int | None]) -> list[int | None]:
    """The rows a record of ``group_id`` counts in: its top-level group, itself if it is a
    subcommittee, and the whole consortium (``None``)."""
    if group_id is None:
        return [None]
    parent = parents.get(group_id)
    if parent is None:
        return [group_id, None]
    return [parent, group_id, None]


def _in_groups(groups: Iterable[int | None] | None, prefix: str = "") -> Q:
    """Records of these study groups (``None``: meetings without a study group); all if None."""
    if groups is None:
        return Q()
    groups = set(groups)
    condition = Q(**{f"{prefix}study_group_id__in": [g for g in groups if g is not None]})
    if None in groups:
        condition |= Q(**{f"{prefix}study_group__isnull": True})
    return condition


def family(group_id: int | None) -> dict[int | None, int | None]:
    """The study groups whose records count in the same top-level row as ``group_id``'s, as
    {group: its parent}, the top-level group first (``{None: None}`` for meetings without a
    group). One query: the group, its parent, and the children of both."""
    if group_id is None:
        return {None: None}
    parent = StudyGroup.objects.filter(pk=group_id).values("parent_id")
    rows = dict(
        StudyGroup.objects.filter(
            Q(pk=group_id) | Q(parent_id=group_id) | Q(pk__in=parent) | Q(parent_id__in=parent)
        )
        .order_by()
        .values_list("pk", "parent_id")
    )
    top = rows[group_id] or group_id
    return {top: None, **{pk: parent for pk, parent in rows.items() if pk != top}}


_Key = int | None  # a study group's row, or the whole consortium's (None)
_Family = dict[int | None, int | None]  # {study group: its parent}, as ``family`` returns
# Per study group: the attendance counts by status column, the people and the organisations
# that attended.
_GroupAttendance = tuple[dict[str, int], set[int], set[int]]

_STATUS_FIELD = {
    AttendanceStatus.ATTENDED: "attendance_total",
    AttendanceStatus.ABSENT: "absent",
    AttendanceStatus.EXCUSED: "excused",
}


class _Rows(dict[_Key, dict[str, int]]):
    """The rows being counted: a row missing so far starts at zero in every column."""

    def __missing__(self, key: _Key) -> dict[str, int]:
        counts = self[key] = dict.fromkeys(COUNT_FIELDS, 0)
        return counts


def compute_participation(
    fiscal_year: int, *, groups: dict[int | None, int | None] | None = None
) -> dict[int | None, dict[str, int]]:
    """{study_group_id or None: counts} for one fiscal year in 6 queries.

    ``groups`` ({group: parent}, a top-level group's ``family``) limits the reading to the
    meetings and memberships of those study groups: the rows of that family are then exact, the
    ``None`` row covers only that family (the incremental roll-up recomputes it separately).

    The database reads the year's attendance once, grouped per (group, person, organisation,
    status); those tuples are folded here into the top-level group, subcommittee and consortium
    rows. Distinct counts over three groupings in SQL sorted the year's rows once per column and
    grouping; one hashed pass plus the fold is several times faster (bench/RESULTS.md).
    """
    if groups is None:
        parents = dict(StudyGroup.objects.order_by().values_list("pk", "parent_id"))
    else:
        parents = {pk: parent for pk, parent in groups.items() if pk is not None}
    rows = _Rows()
    _count_meetings(rows, fiscal_year, groups, parents)
    _count_public_participants(rows, fiscal_year, groups, parents)
    by_group = _attendance_by_group(fiscal_year, groups)
    _fold_attendance(rows, by_group, parents, _sector_columns_of(by_group, groups))
    _count_new_members(rows, fiscal_year, groups, parents)
    return dict(rows)


def _count_meetings(
    rows: _Rows,
    fiscal_year: int,
    groups: Iterable[int | None] | None,
    parents: dict[int, int | None],
) -> None:
    """開催回数, and the meetings' unnamed headcount in のべ参加者数."""
    for group_id, meetings, unnamed in (
        Meeting.objects.filter(_in_groups(groups), fiscal_year=fiscal_year, status=HELD)
        .values("study_group_id")
        .annotate(n=Count("pk"), unnamed=Sum("unnamed_headcount"))
        .values_list("study_group_id", "n", "unnamed")
        .order_by()
    ):
        for key in _keys(group_id, parents):
            rows[key]["meetings"] += meetings
            rows[key]["attendance_total"] += unnamed or 0


def _count_public_participants(
    rows: _Rows,
    fiscal_year: int,
    groups: Iterable[int | None] | None,
    parents: dict[int, int | None],
) -> None:
    """一般参加者: the seats of citizens' registrations checked in (part of のべ参加者数)."""
    for group_id, seats in (
        PublicRegistration.objects.filter(
            _in_groups(groups, "meeting__"),
            meeting__fiscal_year=fiscal_year,
            meeting__status=HELD,
            status=PublicRegistration.Status.REGISTERED,
            checked_in_at__isnull=False,
        )
        .values("meeting__study_group_id")
        .annotate(seats=Sum("seats"))
        .values_list("meeting__study_group_id", "seats")
        .order_by()
    ):
        for key in _keys(group_id, parents):
            rows[key]["public_participants"] += seats or 0
            rows[key]["attendance_total"] += seats or 0


def _attendance_by_group(
    fiscal_year: int, groups: _Family | None
) -> dict[int | None, _GroupAttendance]:
    """One pass over the year's attendance, grouped per (group, person, organisation, status),
    collected per study group (folded into the rows afterwards with C-speed set unions)."""
    attendances = Attendance.objects.filter(
        _in_groups(groups, "meeting__"), meeting__fiscal_year=fiscal_year, meeting__status=HELD
    ).order_by()
    by_group: dict[int | None, _GroupAttendance] = {}
    for group_id, person_id, org_id, status, n in (
        attendances.values("meeting__study_group_id", "person_id", "organisation_id", "status")
        .annotate(n=Count("*"))  # COUNT(*): answered from the covering index alone
        .values_list("meeting__study_group_id", "person_id", "organisation_id", "status", "n")
    ):
        entry = by_group.get(group_id)
        if entry is None:
            entry = by_group[group_id] = (dict.fromkeys(_STATUS_FIELD.values(), 0), set(), set())
        entry[0][_STATUS_FIELD[status]] += n
        if status == AttendanceStatus.ATTENDED:
            entry[1].add(person_id)
            entry[2].add(org_id)
    return by_group


def _sector_columns_of(
    by_group: dict[int | None, _GroupAttendance], groups: _Family | None
) -> dict[int, str | None]:
    """{organisation: its sector column}: every organisation, or (for a family) only those that
    attended its meetings. Read apart: grouping by text columns makes the database sort instead
    of hash."""
    organisations = Organisation.objects.order_by()
    if groups is not None:
        organisations = organisations.filter(
            pk__in=set().union(*(orgs for _counts, _persons, orgs in by_group.values()))
        )
    read = organisations.values_list("pk", "sector", "is_local")
    return {
        pk: sector_column(sector, is_local)
        for pk, sector, is_local in (read if groups is not None else read.iterator(5000))
    }


def _fold_attendance(
    rows: _Rows,
    by_group: dict[int | None, _GroupAttendance],
    parents: dict[int, int | None],
    sector_of: dict[int, str | None],
) -> None:
    """Each study group's attendance into the rows it counts in: the sums added, the distinct
    people (参加者実数) and organisations (参加団体数, by sector column) united."""
    people: dict[_Key, set[int]] = {}
    organisations: dict[_Key, set[int]] = {}
    for group_id, (counts, persons, orgs) in by_group.items():
        for key in _keys(group_id, parents):
            target = rows[key]
            for name, n in counts.items():
                target[name] += n
            people.setdefault(key, set()).update(persons)
            organisations.setdefault(key, set()).update(orgs)
    for key, persons in people.items():
        rows[key]["unique_people"] = len(persons)
    for key, orgs in organisations.items():
        target = rows[key]
        target["organisations"] = len(orgs)
        for org_id in orgs:
            column = sector_of[org_id]
            if column:
                target[column] += 1


def _count_new_members(
    rows: _Rows,
    fiscal_year: int,
    groups: Iterable[int | None] | None,
    parents: dict[int, int | None],
) -> None:
    """新規加入団体: an organisation is new in the year it first joined what the row covers, so
    over the years each organisation counts once per row (a later join of another group, or a
    re-join, is not new to the consortium). One read: the first join per group × org."""
    start, end = fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)
    first_joined: dict[_Key, dict[int, dt.date]] = {}
    for group_id, org_id, joined_on in (
        Membership.objects.filter(_in_groups(groups), joined_on__lte=end)
        .values("study_group_id", "organisation_id")
        .annotate(first=Min("joined_on"))
        .values_list("study_group_id", "organisation_id", "first")
        .order_by()
    ):
        for key in _keys(group_id, parents):
            orgs = first_joined.setdefault(key, {})
            if joined_on < orgs.get(org_id, dt.date.max):
                orgs[org_id] = joined_on
    for key, orgs in first_joined.items():
        new = sum(joined_on >= start for joined_on in orgs.values())
        if new:
            rows[key]["new_members"] = new


def consortium_new_members(fiscal_year: int) -> int:
    """新規加入団体 of the consortium row: organisations whose first membership of any study
    group started in the fiscal year (the ``None`` row of ``compute_participation``)."""
    return (
        Membership.objects.values("organisation_id")
        .annotate(first=Min("joined_on"))
        .filter(first__gte=fiscal_year_start(fiscal_year), first__lte=fiscal_year_end(fiscal_year))
        .order_by()
        .count()
    )


def sector_column(sector: str, is_local: bool) -> str | None:
    """The summary column an attending organisation counts in (None: no sector column)."""
    return _COLUMN_OF.get((sector, bool(is_local)))
