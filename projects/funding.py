"""Reading a project's money: the fiscal-year × source table and funding cliffs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from members.models import Organisation

from .models import Funding, FundingStatus, Project

PAID_STATUSES = frozenset({FundingStatus.ADOPTED, FundingStatus.RECEIVED, FundingStatus.ENDED})


@dataclass(frozen=True)
class FundingCliff:
    project: Project
    funder: Organisation
    scheme: str
    kind: str
    fiscal_year: int  # the last fiscal year the source paid
    amount: int | None  # what it paid that year (None when any entry's amount is unknown)


def _source(funding: Funding) -> tuple[int, str]:
    return (funding.funder_id, funding.scheme.strip())


def detect_cliffs(fundings: Iterable[Funding], *, fiscal_year: int) -> list[FundingCliff]:
    """The cliffs among ``fundings`` (any projects, entries of FY and FY+1 at least).

    See ``funding_cliffs`` for the rule. Pure: works on rows already loaded.
    """
    by_project: dict[int, dict[int, list[Funding]]] = defaultdict(lambda: defaultdict(list))
    for funding in fundings:
        if funding.fiscal_year in (fiscal_year, fiscal_year + 1):
            by_project[funding.project_id][funding.fiscal_year].append(funding)
    cliffs: list[FundingCliff] = []
    for years in by_project.values():
        this_year, next_year = years.get(fiscal_year, []), years.get(fiscal_year + 1, [])
        this_sources = {_source(f) for f in this_year}
        next_sources = {_source(f) for f in next_year}
        if next_sources - this_sources:
            continue  # a new source next year replaces whatever ends
        paid: dict[tuple[int, str], list[Funding]] = defaultdict(list)
        for funding in this_year:
            if funding.status in PAID_STATUSES:
                paid[_source(funding)].append(funding)
        for source, rows in paid.items():
            if source in next_sources:
                continue
            amounts = [row.amount for row in rows if row.amount is not None]
            first = rows[0]
            cliffs.append(
                FundingCliff(
                    project=first.project,
                    funder=first.funder,
                    scheme=first.scheme,
                    kind=first.kind,
                    fiscal_year=fiscal_year,
                    amount=sum(amounts) if len(amounts) == len(rows) else None,
                )
            )
    return sorted(cliffs, key=lambda c: (c.project.name, c.funder.name_kana, c.scheme))


def funding_cliffs(*, fiscal_year: int, projects=None) -> list[FundingCliff]:
    """Sources that paid in ``fiscal_year`` and stop with nothing replacing them.

    The exact rule, per project: a *source* is a (funder, scheme) pair. A source has a cliff in
    fiscal year FY when

    1. it has an entry in FY with status adopted, received or ended (money that came — an entry
       that is only *applied* does not count as paying), and
    2. the same project has no entry at all (any status, an application included) for the same
       source in FY+1, and
    3. nothing replaces it: the project has no *new* source in FY+1, i.e. every source with an
       entry in FY+1 already had an entry in FY. One new source of any kind and amount in FY+1
       clears all cliffs of that project for FY.

    ``projects`` (a queryset or iterable of projects or ids) limits the check; None means all.
    Two queries at most (the fundings with their project and funder).
    """
    rows = Funding.objects.filter(fiscal_year__in=(fiscal_year, fiscal_year + 1)).select_related(
        "project", "funder"
    )
    if projects is not None:
        rows = rows.filter(project__in=projects)
    return detect_cliffs(rows, fiscal_year=fiscal_year)


@dataclass
class FundingRow:
    funder: Organisation
    scheme: str
    kind: str
    kind_label: str
    cells: list[Funding | None] = field(default_factory=list)
    cliff_years: set[int] = field(default_factory=set)


@dataclass
class FundingTable:
    years: list[int]
    rows: list[FundingRow]
    totals: list[int]
    unknown: list[bool]  # per year: some amount of that year is unknown
    cliffs: list[FundingCliff]

    def __bool__(self) -> bool:
        return bool(self.rows)


def funding_table(fundings: Iterable[Funding]) -> FundingTable:
    """A project's funding as fiscal years (columns) × sources (rows), with totals and cliffs.

    Years run without gaps from the first to the last entry; totals count known amounts of
    paying entries (applications are shown but not added up).
    """
    fundings = list(fundings)
    if not fundings:
        return FundingTable(years=[], rows=[], totals=[], unknown=[], cliffs=[])
    first = min(f.fiscal_year for f in fundings)
    last = max(f.fiscal_year for f in fundings)
    years = list(range(first, last + 1))
    rows: dict[tuple[int, str], FundingRow] = {}
    for funding in sorted(fundings, key=lambda f: (f.fiscal_year, f.funder.name_kana, f.scheme)):
        key = _source(funding)
        if key not in rows:
            rows[key] = FundingRow(
                funder=funding.funder,
                scheme=funding.scheme,
                kind=funding.kind,
                kind_label=funding.get_kind_display(),
                cells=[None] * len(years),
            )
        rows[key].cells[funding.fiscal_year - first] = funding
    totals = [0] * len(years)
    unknown = [False] * len(years)
    for funding in fundings:
        if funding.status not in PAID_STATUSES:
            continue
        if funding.amount is None:
            unknown[funding.fiscal_year - first] = True
        else:
            totals[funding.fiscal_year - first] += funding.amount
    cliffs = [c for fy in years for c in detect_cliffs(fundings, fiscal_year=fy)]
    for cliff in cliffs:
        rows[(cliff.funder.pk, cliff.scheme.strip())].cliff_years.add(cliff.fiscal_year)
    return FundingTable(
        years=years, rows=list(rows.values()), totals=totals, unknown=unknown, cliffs=cliffs
    )
