"""The roll-up arithmetic: aggregate queries (GROUP BY in the database), no loops over attendance.

Definitions (see docs/reports.md):
- meetings: meetings held in the fiscal year (``Meeting.fiscal_year``).
- attendance_total (のべ参加者数): attendances marked *attended* + the meetings' unnamed headcount.
- absent / excused: attendances with those statuses (not part of のべ).
- unique_people (参加者実数): distinct persons who attended.
- organisations (参加団体数) and the sector columns: distinct organisations that attended, by the
  organisation the person came for (a person attending for two organisations counts for both).
- new_members (新規加入団体): distinct organisations whose membership started in the fiscal year.

A study group's row covers its own meetings and its subcommittees'; each subcommittee has its own
row; the consortium-wide row (study_group NULL) covers every meeting, including those of projects
without a study group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from consortium.fiscal import fiscal_year_end, fiscal_year_start
from events.models import Attendance, AttendanceStatus, Meeting
from members.models import Membership, Sector
from projects.models import Funding

ATTENDED = Q(status=AttendanceStatus.ATTENDED)

# Column → condition on the attending organisation (relative to Attendance).
SECTOR_COLUMNS: dict[str, Q] = {
    "local_companies": Q(organisation__sector=Sector.COMPANY, organisation__is_local=True),
    "outside_companies": Q(organisation__sector=Sector.COMPANY, organisation__is_local=False),
    "universities": Q(organisation__sector=Sector.UNIVERSITY),
    "government": Q(organisation__sector=Sector.GOVERNMENT),
    "financial": Q(organisation__sector=Sector.FINANCIAL),
    "associations": Q(organisation__sector=Sector.ASSOCIATION),
}
COUNT_FIELDS = (
    "meetings",
    "attendance_total",
    "absent",
    "excused",
    "unique_people",
    "organisations",
    *SECTOR_COLUMNS,
    "new_members",
)

TOTAL = "total"


@dataclass
class Counts:
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))


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


def _groupings(prefix: str) -> dict[str, dict]:
    """How rows are keyed: top-level group (incl. subcommittees), subcommittee, whole consortium.

    ``prefix`` is the path from the queried model to the study group (``meeting__study_group``).
    """
    sg = f"{prefix}_id"
    parent = f"{prefix}__parent_id"
    return {
        "top": {
            "key": Coalesce(F(parent), F(sg)),
            "filter": Q(**{f"{sg}__isnull": False}),
        },
        "sub": {"key": F(sg), "filter": Q(**{f"{parent}__isnull": False})},
        TOTAL: {"key": None, "filter": Q()},
    }


def _merge(rows: dict[object, Counts], key: object, values: dict) -> None:
    counts = rows.setdefault(key, Counts())
    for name, value in values.items():
        if name in counts.values:
            counts.values[name] += value or 0


def compute_participation(fiscal_year: int) -> dict[int | None, dict[str, int]]:
    """{study_group_id or None: counts} for one fiscal year, in 9 aggregate queries."""
    rows: dict[object, Counts] = {}
    attendance_aggregates = {
        "attended": Count("pk", filter=ATTENDED),
        "absent": Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
        "excused": Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
        "unique_people": Count("person_id", filter=ATTENDED, distinct=True),
        "organisations": Count("organisation_id", filter=ATTENDED, distinct=True),
        **{
            name: Count("organisation_id", filter=ATTENDED & condition, distinct=True)
            for name, condition in SECTOR_COLUMNS.items()
        },
    }
    start, end = fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)
    meetings = Meeting.objects.filter(fiscal_year=fiscal_year)
    attendances = Attendance.objects.filter(meeting__fiscal_year=fiscal_year)
    memberships = Membership.objects.filter(joined_on__gte=start, joined_on__lte=end)
    sources = (
        ("study_group", meetings, {"meetings": Count("pk"), "unnamed": Sum("unnamed_headcount")}),
        ("meeting__study_group", attendances, attendance_aggregates),
        ("study_group", memberships, {"new_members": Count("organisation_id", distinct=True)}),
    )
    for prefix, queryset, aggregates in sources:
        for grouping in _groupings(prefix).values():
            scoped = queryset.filter(grouping["filter"])
            if grouping["key"] is None:
                result = scoped.aggregate(**aggregates)
                _merge(rows, None, _rename(result))
                continue
            grouped = (
                scoped.annotate(row_key=grouping["key"])
                .values("row_key")
                .annotate(**aggregates)
                .order_by()
            )
            for result in grouped:
                _merge(rows, result.pop("row_key"), _rename(result))
    return {key: counts.values for key, counts in rows.items()}


def _rename(result: dict) -> dict[str, int]:
    result = dict(result)
    values = {}
    if "unnamed" in result or "attended" in result:
        values["attendance_total"] = (result.pop("unnamed", 0) or 0) + (
            result.pop("attended", 0) or 0
        )
    values.update({k: v or 0 for k, v in result.items()})
    return values
