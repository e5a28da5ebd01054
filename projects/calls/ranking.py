"""The ranking table of a call (審査結果一覧) for staff, and its CSV/XLSX export.

For each submitted application, over the *submitted* reviews only:

- weighted average = Σ(weight × mean score of the criterion) / Σ weight, on the 1–5 scale
  (criteria nobody scored yet are left out of both sums);
- a reviewer's weighted total = Σ(weight × their score), and the spread is the largest minus the
  smallest of those totals: a wide spread means the reviewers disagree;
- submitted / assigned reviews, and the reviewers' comments.

Rows are sorted by weighted average, highest first (unscored last). The table is read in a fixed
number of queries whatever the number of applications.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.csv_out import csv_bytes
from consortium.xlsx import write_workbook

from .models import Application, Call, ReviewAssignment, ReviewCriterion, ReviewScore

TWO_PLACES = Decimal("0.01")


@dataclass
class ReviewerComment:
    reviewer: str
    comment: str
    criterion_comments: list[tuple[str, str]] = field(default_factory=list)  # (criterion, text)


@dataclass
class RankingRow:
    application: Application
    weighted_average: Decimal | None
    spread: int | None
    submitted: int
    assigned: int
    criterion_means: list[Decimal | None]  # per criterion, in the call's order
    comments: list[ReviewerComment]
    rank: int | None = None


@dataclass
class Ranking:
    call: Call
    criteria: list[ReviewCriterion]
    rows: list[RankingRow]


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_scores(
    criteria: list[ReviewCriterion], reviews: list[dict[int, int]]
) -> tuple[Decimal | None, int | None, list[Decimal | None]]:
    """(weighted average, spread, mean per criterion) of ``reviews`` (criterion id → score)."""
    means: list[Decimal | None] = []
    numerator, weights = Decimal(0), 0
    for criterion in criteria:
        scored = [review[criterion.pk] for review in reviews if criterion.pk in review]
        if not scored:
            means.append(None)
            continue
        mean = Decimal(sum(scored)) / len(scored)
        means.append(_round(mean))
        numerator += criterion.weight * mean
        weights += criterion.weight
    average = _round(numerator / weights) if weights else None
    totals = [
        sum(c.weight * review[c.pk] for c in criteria if c.pk in review) for review in reviews
    ]
    spread = max(totals) - min(totals) if totals else None
    return average, spread, means


def call_ranking(*, call: Call, reviewer_name=None) -> Ranking:
    """The ranking of a call's submitted applications (five queries, whatever their number)."""
    from .services.reviews import reviewer_name as default_name

    name_of = reviewer_name or default_name
    criteria = list(call.criteria.all())
    criterion_names = {c.pk: c.name for c in criteria}
    applications = (
        Application.objects.filter(call=call)
        .submitted()
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=ReviewAssignment.objects.select_related(
                    "reviewer__person"
                ).prefetch_related(
                    Prefetch(
                        "scores", queryset=ReviewScore.objects.order_by("criterion__order", "pk")
                    )
                ),
            )
        )
        .order_by("sequence", "pk")
    )
    rows = []
    for application in applications:
        assignments = list(application.assignments.all())
        submitted = [a for a in assignments if a.submitted_at]
        reviews = [{s.criterion_id: s.score for s in a.scores.all()} for a in submitted]
        average, spread, means = weighted_scores(criteria, reviews)
        comments = [
            ReviewerComment(
                reviewer=name_of(a.reviewer),
                comment=a.comment,
                criterion_comments=[
                    (criterion_names.get(s.criterion_id, ""), s.comment)
                    for s in a.scores.all()
                    if s.comment
                ],
            )
            for a in submitted
        ]
        rows.append(
            RankingRow(
                application=application,
                weighted_average=average,
                spread=spread,
                submitted=len(submitted),
                assigned=len(assignments),
                criterion_means=means,
                comments=comments,
            )
        )
    rows.sort(key=lambda r: (r.weighted_average is None, -(r.weighted_average or 0)))
    for position, row in enumerate(rows, start=1):
        row.rank = position if row.weighted_average is not None else None
    return Ranking(call=call, criteria=criteria, rows=rows)


# --- export -----------------------------------------------------------------------------------


def _header(ranking: Ranking) -> list[str]:
    return [
        _("順位"),
        _("受付番号"),
        _("提案名"),
        _("応募団体"),
        _("加重平均点"),
        _("ばらつき（最高−最低）"),
        _("提出済み審査"),
        _("割当数"),
        *[
            _("%(name)s（重み%(weight)s）の平均") % {"name": c.name, "weight": c.weight}
            for c in ranking.criteria
        ],
        _("審査員のコメント"),
        _("審査結果"),
    ]


def _comment_text(comments: list[ReviewerComment]) -> str:
    lines = []
    for item in comments:
        if item.comment:
            lines.append(f"{item.reviewer}: {item.comment}")
        for criterion, text in item.criterion_comments:
            lines.append(f"{item.reviewer}（{criterion}）: {text}")
    return "\n".join(lines)


def _rows(ranking: Ranking) -> list[list[object]]:
    return [
        [
            row.rank,
            row.application.number,
            row.application.title,
            row.application.organisation.name,
            float(row.weighted_average) if row.weighted_average is not None else None,
            row.spread,
            row.submitted,
            row.assigned,
            *[float(mean) if mean is not None else None for mean in row.criterion_means],
            _comment_text(row.comments),
            row.application.get_decision_display() if row.application.decision else "",
        ]
        for row in ranking.rows
    ]


def ranking_csv(ranking: Ranking) -> bytes:
    """UTF-8 with BOM for Excel; text a spreadsheet would run as a formula is escaped."""
    return csv_bytes(_header(ranking), _rows(ranking))


def ranking_xlsx(ranking: Ranking) -> bytes:
    """Typed cells (numbers as numbers; formula-looking text stored as text, unchanged)."""
    buffer = io.BytesIO()
    write_workbook(buffer, _header(ranking), _rows(ranking), title=_("審査結果"))
    return buffer.getvalue()


def ranking_filename(call: Call, extension: str, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"call-{call.pk}-ranking-{today.isoformat()}.{extension}"
