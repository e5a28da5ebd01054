"""Reads of the reports app: what the dashboard and the status panel show.

Everything here reads the summary tables (plus a few small live reads: projects by phase and the
funding entries needed for cliff warnings), so pages render while the task queue is down.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.fiscal import era_fiscal_short, fiscal_label
from members.models import StudyGroup
from projects.funding import detect_cliffs
from projects.models import Funding, FundingKind, Phase, Project

from .models import (
    CallBucket,
    CallSummary,
    FundingSummary,
    Heartbeat,
    IndicatorSummary,
    ParticipationSummary,
    RollupState,
)
from .rollup import SECTOR_COLUMNS, SECTORS

if TYPE_CHECKING:
    from .indicators import Indicator


@dataclass
class CallYear:
    """公募 of one budget year: the whole year's row and its applicant sectors in bucket order."""

    fiscal_year: int
    total: CallSummary
    sectors: list[CallSummary]


def call_years(rows: list[CallSummary]) -> list[CallYear]:
    """The stored 公募 rows grouped per budget year, oldest first."""
    order = {value: index for index, value in enumerate(CallBucket.values)}
    by_year: dict[int, list[CallSummary]] = defaultdict(list)
    for row in rows:
        by_year[row.fiscal_year].append(row)
    years = []
    for fiscal_year in sorted(by_year):
        year_rows = sorted(by_year[fiscal_year], key=lambda r: order.get(r.sector, len(order)))
        total = next(
            (r for r in year_rows if r.sector == CallBucket.ALL),
            CallSummary(fiscal_year=fiscal_year),
        )
        sectors = [r for r in year_rows if r.sector != CallBucket.ALL]
        years.append(CallYear(fiscal_year=fiscal_year, total=total, sectors=sectors))
    return years


@dataclass
class Dashboard:
    years: list[int]
    labels: list[str]
    participation: list[ParticipationSummary]
    funding_by_kind: list[dict]  # {"kind", "label", "amounts": [per year]}
    funding_totals: list[int]
    phases: list[dict]  # {"name", "count"}
    cliffs: list = field(default_factory=list)
    as_of: object = None
    study_groups: list[StudyGroup] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    calls: list[CallYear] = field(default_factory=list)
    all_years: list[int] = field(default_factory=list)  # for the year picker, oldest first
    fiscal_year: int | None = None  # the one year shown, if one was picked
    indicators: IndicatorTable | None = None  # 実績指標, for the whole consortium only

    def axis_labels(self) -> list[list[str]]:
        """The charts' year labels on two short lines, 2026 / R8 (the axis is titled 年度)."""
        return [[str(fy), era_fiscal_short(fy)] for fy in self.years]

    def sector_labels(self) -> list[str]:
        """The sector columns' headers in the language of the request (``rollup.SECTORS``)."""
        return [_(column.ja) for column in SECTORS]

    def sector_rows(self) -> list[tuple[ParticipationSummary, list[int]]]:
        """Each year's participation row with its sector columns' counts, in column order."""
        return [(r, [getattr(r, name) for name in SECTOR_COLUMNS]) for r in self.participation]

    def chart_data(self) -> dict:
        """Plain data for static/js/reports.js (passed with json_script)."""
        sectors = [
            {"label": label, "values": [getattr(r, name) for r in self.participation]}
            for name, label in zip(SECTOR_COLUMNS, self.sector_labels(), strict=True)
        ]
        return {
            "labels": self.axis_labels(),
            "axis_title": _("年度"),
            "participation": {
                "meetings_label": _("開催回数"),
                "attendance_label": _("のべ参加者数"),
                "meetings": [r.meetings for r in self.participation],
                "attendance": [r.attendance_total for r in self.participation],
            },
            "sectors": sectors,
            "funding": [
                {"label": row["label"], "values": row["amounts"]} for row in self.funding_by_kind
            ],
            "phases": {
                "labels": [p["name"] for p in self.phases],
                "values": [p["count"] for p in self.phases],
                "label": _("事業数"),
            },
        }


def dashboard(
    *,
    study_group_id: int | None = None,
    project_id: int | None = None,
    fiscal_year: int | None = None,
) -> Dashboard:
    """The dashboard's numbers in a fixed, small number of queries (12), whatever the data size.

    Every fiscal year from the first with data to the last is on the axis, a year without data
    as an empty one (zeros), never skipped. ``fiscal_year`` narrows the tables and charts to that
    one year (the picker still offers every year: ``all_years``).

    ``study_group_id`` narrows participation to that group's row (which includes its
    subcommittees) and projects to that group's; ``project_id`` narrows funding and phases.
    公募 and the 実績指標 are counted for the whole consortium only: a filtered dashboard leaves
    them out (8).
    """
    rows = list(
        ParticipationSummary.objects.filter(study_group_id=study_group_id).order_by("fiscal_year")
    )
    funding = FundingSummary.objects.all()
    projects = Project.objects.all()
    if project_id:
        funding = funding.filter(project_id=project_id)
        projects = projects.filter(pk=project_id)
    elif study_group_id:
        group_projects = Project.objects.filter(study_groups=study_group_id).values("pk")
        funding = funding.filter(project_id__in=group_projects)
        projects = projects.filter(pk__in=group_projects)
    sums = list(funding.values("fiscal_year", "kind").annotate(total=Sum("amount")).order_by())
    found = {r.fiscal_year for r in rows} | {s["fiscal_year"] for s in sums}
    all_years = list(range(min(found), max(found) + 1)) if found else []
    years = [fiscal_year] if fiscal_year in found else [] if fiscal_year else all_years
    sums = [s for s in sums if s["fiscal_year"] in years] if fiscal_year else sums
    by_year = {r.fiscal_year: r for r in rows}
    participation = [by_year.get(fy) or ParticipationSummary(fiscal_year=fy) for fy in years]
    index = {fy: i for i, fy in enumerate(years)}
    amounts: dict[str, list[int]] = defaultdict(lambda: [0] * len(years))
    for s in sums:
        amounts[s["kind"]][index[s["fiscal_year"]]] += s["total"] or 0
    funding_by_kind: list[dict[str, Any]] = [
        {"kind": kind, "label": str(label), "amounts": amounts[kind]}
        for kind, label in FundingKind.choices
        if kind in amounts
    ]
    totals = [sum(row["amounts"][i] for row in funding_by_kind) for i in range(len(years))]
    phase_counts = {
        row["current_phase_id"]: row["count"]
        for row in projects.with_current_phase()
        .values("current_phase_id")
        .annotate(count=Count("pk", distinct=True))
        .order_by()
    }
    # Phase.label is the English name in English; phases in their configured order.
    phases = [
        {"name": phase.label, "count": phase_counts[phase.pk]}
        for phase in Phase.objects.all()  # a handful of rows; always one query
        if phase.pk in phase_counts
    ]
    if None in phase_counts:
        phases.append({"name": _("段階未設定"), "count": phase_counts[None]})
    cliffs = []
    if years:
        entries = list(
            Funding.objects.filter(
                project__in=projects.values("pk"),
                fiscal_year__gte=years[0],
                fiscal_year__lte=years[-1] + 1,
            ).select_related("project", "funder")
        )
        cliffs = [c for fy in years for c in detect_cliffs(entries, fiscal_year=fy)]
    as_of = RollupState.objects.aggregate(at=Max("last_rolled_at"))["at"]
    call_rows = CallSummary.objects.all()
    if fiscal_year:
        call_rows = call_rows.filter(fiscal_year=fiscal_year)
    return Dashboard(
        years=years,
        labels=[fiscal_label(fy) for fy in years],
        participation=participation,
        funding_by_kind=funding_by_kind,
        funding_totals=totals,
        phases=phases,
        cliffs=cliffs,
        as_of=as_of,
        study_groups=sorted(StudyGroup.objects.select_related("parent"), key=_family_order),
        projects=list(Project.objects.order_by("name").only("pk", "name")),
        calls=[] if study_group_id or project_id else call_years(list(call_rows)),
        all_years=all_years,
        fiscal_year=fiscal_year,
        indicators=None
        if study_group_id or project_id
        else indicator_table(fiscal_year=fiscal_year),
    )


def dashboard_version() -> tuple[str, object]:
    """(a token that changes whenever the dashboard's numbers can, the roll-up's "as of" time).

    One small query, the same for every worker process (unlike a version kept in a per-process
    cache): the last roll-up time (attendance, membership and funding changes all end in a
    roll-up), and the count and last id of the live-read tables (projects, phase transitions,
    study groups). Renames are not seen here; the cache lifetime bounds them.
    """
    from projects.models import PhaseTransition

    tables = [RollupState, Project, PhaseTransition, StudyGroup]
    names = [connection.ops.quote_name(m._meta.db_table) for m in tables]
    parts = [f"(SELECT MAX(last_rolled_at) FROM {names[0]})"]
    parts += [f"(SELECT COUNT(*) FROM {n})" for n in names[1:]]
    parts += [f"(SELECT MAX(id) FROM {n})" for n in names[1:]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    as_of = row[0]
    if isinstance(as_of, str):  # SQLite returns the text of a MAX() over datetimes
        from django.utils.dateparse import parse_datetime

        as_of = parse_datetime(as_of)
        if as_of is not None and as_of.tzinfo is None:
            from datetime import UTC

            as_of = as_of.replace(tzinfo=UTC)
    return "-".join(str(v) for v in row), as_of


def _family_order(group: StudyGroup) -> tuple:
    """Each top-level group followed by its subcommittees."""
    top = group.parent or group
    return (top.order, top.name, group.parent_id is not None, group.order, group.name)


def heartbeat_status(*, now: dt.datetime | None = None) -> list[dict]:
    """Beat and the workers for the status page: when each was last heard of and whether that is
    too long ago (``Heartbeat.STALE_AFTER``). A component never heard of is silent too."""
    now = now or timezone.now()
    seen = {row.component: row for row in Heartbeat.objects.all()}
    status = []
    for component in (Heartbeat.Component.BEAT, Heartbeat.Component.WORKER):
        row = seen.get(component)
        status.append(
            {
                "component": component.value,
                "label": component.label,
                "seen_at": row.seen_at if row else None,
                "hostname": row.hostname if row else "",
                "silent": row is None or now - row.seen_at > Heartbeat.STALE_AFTER,
            }
        )
    return status


def rollup_status() -> dict:
    """Per fiscal year state for the status panel, and the progress of pending runs."""
    states = list(RollupState.objects.order_by("-fiscal_year"))
    pending = [s for s in states if s.is_pending]
    total = len(states)
    return {
        "states": states,
        "pending": len(pending),
        "total": total,
        "done": total - len(pending),
        "percent": round(100 * (total - len(pending)) / total) if total else 100,
        "as_of": max((s.last_rolled_at for s in states if s.last_rolled_at), default=None),
    }


@dataclass
class IndicatorRow:
    indicator: Indicator
    values: list[int]
    first_of_group: bool = False
    group_size: int = 0

    def sparkline(self) -> dict:
        """A small bar chart of the row (an SVG drawn here, no script): a bar per year, 3 units
        apart, up to 20 high at the row's largest value; a zero shows as a hairline."""
        top = max(self.values, default=0) or 1
        bars = []
        for index, value in enumerate(self.values):
            height = max(round(20 * value / top, 1), 0.5)
            bars.append({"x": 3 * index, "y": round(20 - height, 1), "height": height})
        return {"bars": bars, "width": 3 * len(self.values), "px": min(8 * len(self.values), 160)}


@dataclass
class IndicatorTable:
    years: list[int]
    rows: list[IndicatorRow]

    @property
    def labels(self) -> list[str]:
        return [fiscal_label(fy) for fy in self.years]


def indicator_table(*, fiscal_year: int | None = None) -> IndicatorTable:
    """実績指標: indicators down, fiscal years across (3 queries), from the stored roll-ups only:
    ``IndicatorSummary``, the consortium's participation row and the 公募 year row
    (``reports.indicators``). Every year from the first with any figure to the last is a column;
    ``fiscal_year`` keeps that one column."""
    from .indicators import INDICATORS

    stored: dict[tuple[int, str], int] = {
        (fy, key): value
        for fy, key, value in IndicatorSummary.objects.values_list(
            "fiscal_year", "indicator", "value"
        ).order_by()
    }
    participation = {
        row.fiscal_year: row for row in ParticipationSummary.objects.filter(study_group=None)
    }
    calls = {row.fiscal_year: row for row in CallSummary.objects.filter(sector=CallBucket.ALL)}
    found = {fy for fy, _key in stored} | set(participation) | set(calls)
    if fiscal_year:
        years = [fiscal_year] if fiscal_year in found else []
    else:
        years = list(range(min(found), max(found) + 1)) if found else []

    def value(indicator: Indicator, fy: int) -> int:
        if indicator.source == "participation":
            summary = participation.get(fy)
            return getattr(summary, indicator.key) if summary else 0
        if indicator.source == "calls":
            year_row = calls.get(fy)
            return getattr(year_row, indicator.key) if year_row else 0
        return stored.get((fy, indicator.key), 0)

    rows = [IndicatorRow(i, [value(i, fy) for fy in years]) for i in INDICATORS]
    # A meeting kind or outcome kind nobody ever had is left out; the headline rows stay.
    rows = [r for r in rows if any(r.values) or not _per_kind(r.indicator.key)]
    for index, row in enumerate(rows):
        if index == 0 or rows[index - 1].indicator.group != row.indicator.group:
            row.first_of_group = True
            row.group_size = sum(1 for r in rows if r.indicator.group == row.indicator.group)
    return IndicatorTable(years=years, rows=rows)


def _per_kind(key: str) -> bool:
    return key.startswith(("meetings_", "outcomes_"))
