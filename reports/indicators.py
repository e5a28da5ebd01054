"""The year's results (実績指標): what a consortium reports each fiscal year, indicators down and
fiscal years across, as the secretariat pastes it into its annual report (seed 003: seminars and
study groups held, exhibitors and visitors of the fair, brands granted; seed 000: 特許申請,
新規取引, 派生提案 …).

Each indicator comes from one stored roll-up table, never from the live records:

- ``IndicatorSummary`` (``compute_indicators``, stored by the full and the incremental roll-up):
  - meetings_<kind>: held meetings of that kind (``Meeting.fiscal_year``).
  - exhibitors: exhibitors of the held 展示会 and シンポジウム (an organisation at two fairs
    counts twice: のべ).
  - visitors: the visitor counts of those meetings (来場者数, apart from named attendance and
    not part of のべ参加者数).
  - catalogue_published: catalogue entries first published in the year (新規掲載: an entry
    published again after an edit is not new; an entry archived later still counts in its year).
  - awards_granted: awards (認定・ブランド) granted in the year and not withdrawn.
  - outcomes_<kind>: outcomes (成果) dated in the year, per kind.
- ``ParticipationSummary`` (the whole consortium's row): 開催回数, のべ参加者数, 参加団体数,
  新規加入団体.
- ``CallSummary`` (the year's row): 公募数, 応募数, 採択数.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consortium.fiscal import fiscal_year_bounds
from events.models import SHOWCASE_KINDS, Exhibitor, Meeting, MeetingKind, MeetingStatus
from projects.catalogue.models import AwardGrant, Entry
from projects.models import Outcome, OutcomeKind


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    group: str | Promise
    source: (
        str  # "stored" (IndicatorSummary), "participation" or "calls": the table it is read from
    )
    unit: str | Promise = ""


MEETINGS = _("会議")
SHOWCASE = _("展示会・シンポジウム")
CATALOGUE = _("技術・製品")
OUTCOMES = _("成果")
CALLS = _("公募")


def meetings_key(kind: str) -> str:
    return f"meetings_{kind}"


def outcomes_key(kind: str) -> str:
    return f"outcomes_{kind}"


INDICATORS: tuple[Indicator, ...] = (
    Indicator("meetings", _("開催回数"), MEETINGS, "participation", _("回")),
    *(
        Indicator(meetings_key(kind), label, MEETINGS, "stored", _("回"))
        for kind, label in MeetingKind.choices
    ),
    Indicator("attendance_total", _("のべ参加者数"), MEETINGS, "participation", _("人")),
    Indicator("organisations", _("参加団体数"), MEETINGS, "participation", _("団体")),
    Indicator("new_members", _("新規加入団体"), MEETINGS, "participation", _("団体")),
    Indicator("exhibitors", _("出展団体数（のべ）"), SHOWCASE, "stored", _("団体")),
    Indicator("visitors", _("来場者数"), SHOWCASE, "stored", _("人")),
    Indicator("catalogue_published", _("新規掲載"), CATALOGUE, "stored", _("件")),
    Indicator("awards_granted", _("認定・ブランドの認定件数"), CATALOGUE, "stored", _("件")),
    *(
        Indicator(outcomes_key(kind), label, OUTCOMES, "stored", _("件"))
        for kind, label in OutcomeKind.choices
    ),
    Indicator("calls", _("公募数"), CALLS, "calls", _("件")),
    Indicator("applications", _("応募数"), CALLS, "calls", _("件")),
    Indicator("adoptions", _("採択数"), CALLS, "calls", _("件")),
)

STORED_KEYS = tuple(i.key for i in INDICATORS if i.source == "stored")


def compute_indicators(fiscal_year: int) -> dict[str, int]:
    """Every stored indicator of one fiscal year, zeros included (5 queries, each on an index or
    a small table: the year's meetings, its exhibitors, entries, grants and outcomes)."""
    values = dict.fromkeys(STORED_KEYS, 0)
    held = Meeting.objects.filter(fiscal_year=fiscal_year, status=MeetingStatus.HELD)
    for kind, n, visitors in (
        held.values("kind")
        .annotate(n=Count("pk"), visitors=Sum("visitors"))
        .values_list("kind", "n", "visitors")
        .order_by()
    ):
        key = meetings_key(kind)
        if key in values:
            values[key] = n
        if kind in SHOWCASE_KINDS:
            values["visitors"] += visitors or 0
    values["exhibitors"] = Exhibitor.objects.filter(
        meeting__fiscal_year=fiscal_year,
        meeting__status=MeetingStatus.HELD,
        meeting__kind__in=SHOWCASE_KINDS,
    ).count()
    start, end = fiscal_year_bounds(fiscal_year)
    values["catalogue_published"] = Entry.objects.filter(
        first_published_at__gte=start, first_published_at__lt=end
    ).count()
    values["awards_granted"] = AwardGrant.objects.filter(fiscal_year=fiscal_year).count()
    for kind, n in (
        Outcome.objects.filter(date__gte=start.date(), date__lt=end.date())
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
        .order_by()
    ):
        key = outcomes_key(kind)
        if key in values:
            values[key] = n
    return values
