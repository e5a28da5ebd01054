"""The annual-summary tables as rows: participation, funding, attendance detail, open data.

Each export is a header (Japanese or English) and an iterator of rows of typed values (dates,
numbers, text); ``writers`` turns them into CSV (text, formulas escaped) or XLSX (typed cells). The
same functions serve the browser and ``manage.py export_annual_summary``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from consortium.fiscal import era_fiscal_label
from consortium.links import pk_url, site_url
from consortium.tabular import Column, header_label
from events.models import Attendance, Meeting
from members.models import Sector

from . import copy_csv
from .models import CallBucket, CallSummary, ExportLog, FundingSummary, ParticipationSummary
from .rollup import SECTOR_COLUMNS, SECTORS
from .writers import FORMULA_START, Cells, safe_text

ALL_LABEL = {"ja": "全体", "en": "ALL"}

PARTICIPATION_COLUMNS = [
    Column("fiscal_year", "年度"),
    Column("era", "和暦"),
    Column("study_group", "研究会"),
    Column("parent_group", "上位研究会"),
    Column("meetings", "開催回数"),
    Column("attendance_total", "のべ参加者数"),
    Column("public_participants", "一般参加者"),
    Column("unique_people", "参加者実数"),
    Column("organisations", "参加団体数"),
    *(Column(sector.name, sector.ja) for sector in SECTORS),
    Column("new_members", "新規加入団体"),
]

FUNDING_COLUMNS = [
    Column("fiscal_year", "年度"),
    Column("era", "和暦"),
    Column("project", "事業"),
    Column("funder", "資金提供者"),
    Column("scheme", "制度"),
    Column("kind", "種別"),
    Column("amount", "金額"),
]

CALLS_COLUMNS = [
    Column("fiscal_year", "年度"),
    Column("era", "和暦"),
    Column("sector", "区分"),
    Column("calls", "公募数"),
    Column("applications", "応募数"),
    Column("adoptions", "採択数"),
    Column("adoption_rate", "採択率（%）"),
    Column("support_granted", "支援額（円）"),
]

ATTENDANCE_COLUMNS = [
    Column("date", "開催日"),
    Column("meeting", "会議名"),
    Column("kind", "種別"),
    Column("study_group", "研究会"),
    Column("person", "氏名"),
    Column("organisation", "団体"),
    Column("sector", "区分"),
    Column("local", "市内"),
    Column("status", "出欠"),
]

# The event list (イベント一覧) of the Digital Agency's 自治体標準オープンデータセット: the columns
# in order, exact header characters (docs/open-data.md, with the source). The default layout.
OPEN_DATA_COLUMNS = [
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "イベント名",
    "イベント名_カナ",
    "イベント名_英字",
    "開始日",
    "終了日",
    "開始時間",
    "終了時間",
    "開始日時特記事項",
    "説明",
    "料金(基本)",
    "料金(詳細)",
    "連絡先名称",
    "連絡先電話番号",
    "連絡先内線番号",
    "主催者",
    "場所名称",
    "住所",
    "方書",
    "緯度",
    "経度",
    "アクセス方法",
    "駐車場情報",
    "定員",
    "参加申込終了日",
    "参加申込終了時間",
    "参加申込方法",
    "URL",
    "備考",
]

# The same list under the former 推奨データセット headers (Kyoso's layout until 2026), for
# consumers that read those: ``?layout=legacy`` or ``KYOSO_OPEN_DATA_LAYOUT=legacy``. Each legacy
# column takes its value from the standard column named here (the authority's name is split in
# two); the other headers are the same in both.
OPEN_DATA_LEGACY_COLUMNS = [
    "都道府県コード又は市区町村コード",
    "NO",
    "都道府県名",
    "市区町村名",
    *OPEN_DATA_COLUMNS[3:5],
    "イベント名_英語",
    *OPEN_DATA_COLUMNS[6:],
]
LEGACY_SOURCE = {
    "都道府県コード又は市区町村コード": "全国地方公共団体コード",
    "NO": "ID",
    "イベント名_英語": "イベント名_英字",
}
OPEN_DATA_LAYOUTS = {"standard": OPEN_DATA_COLUMNS, "legacy": OPEN_DATA_LEGACY_COLUMNS}

STREAM_CHUNK = 2000


@dataclass
class Export:
    kind: str
    header: list[str]
    rows: Iterator[list]  # typed values: what an XLSX cell holds
    filename: str
    personal_data: bool = False
    title: str = ""  # the XLSX sheet's name, in the language of the request
    # The same rows already as CSV text (``writers.Cells``), where building them per cell is
    # too slow for the size of the export; else the CSV writer converts ``rows``.
    csv_rows: Iterator[Cells] | None = None
    # Open data is read by programs: its text is published as it is, without the apostrophe
    # that keeps a spreadsheet from running it (docs/open-data.md).
    escape_formulas: bool = True
    # The same CSV body as one SELECT of CSV lines, for PostgreSQL's COPY (``copy_csv``): where
    # the export is large enough for the per-row work to be the database's.
    copy_sql: tuple[str, tuple] | None = None

    def rows_for_csv(self) -> Iterator[Sequence[object]]:
        return self.csv_rows if self.csv_rows is not None else self.rows


def _title(kind: str) -> str:
    return str(ExportLog.Kind(kind).label)


def _filename(kind: str, fiscal_year: int | None) -> str:
    """``<stem>-<fiscal year>``, ``<stem>-all`` for every year (``ANNUAL_EXPORTS``)."""
    return f"{ANNUAL_EXPORTS[kind].stem}-{_suffix(fiscal_year)}"


def _local_label(language: str) -> dict[bool, str]:
    """市内 as a word, not a flag: 市内/市外 (local/outside in English headers)."""
    if language == "ja":
        return {True: "市内", False: "市外"}
    return {True: "local", False: "outside"}


def _headers(columns: list[Column], language: str) -> list[str]:
    return [header_label(c, "ja" if language == "ja" else "en") for c in columns]


def _suffix(fiscal_year: int | None) -> str:
    return str(fiscal_year) if fiscal_year else "all"


def participation_queryset(fiscal_year: int | None = None) -> QuerySet[ParticipationSummary]:
    queryset = ParticipationSummary.objects.select_related("study_group__parent")
    if fiscal_year:
        queryset = queryset.filter(fiscal_year=fiscal_year)
    # Per year: the whole-consortium row first, then groups, each followed by its subcommittees.
    return queryset.annotate(
        is_group=Case(When(study_group__isnull=True, then=0), default=1),
        top_order=Coalesce("study_group__parent__order", "study_group__order"),
        top_name=Coalesce("study_group__parent__name", "study_group__name"),
        is_sub=Case(When(study_group__parent__isnull=True, then=0), default=1),
    ).order_by(
        "fiscal_year",
        "is_group",
        "top_order",
        "top_name",
        "is_sub",
        "study_group__order",
        "study_group__name",
    )


def participation_export(*, fiscal_year: int | None = None, language: str = "ja") -> Export:
    def rows() -> Iterator[list]:
        for row in participation_queryset(fiscal_year):
            group = row.study_group
            if group is None:
                name, parent = ALL_LABEL["ja" if language == "ja" else "en"], ""
            else:
                top = group.parent
                name, parent = group.name, top.name if top is not None else ""
            yield [
                row.fiscal_year,
                era_fiscal_label(row.fiscal_year),
                name,
                parent,
                row.meetings,
                row.attendance_total,
                row.public_participants,
                row.unique_people,
                row.organisations,
                *(getattr(row, name) for name in SECTOR_COLUMNS),
                row.new_members,
            ]

    copy_sql = None
    if copy_csv.available():
        copy_sql = participation_copy_sql(
            fiscal_year, ALL_LABEL["ja" if language == "ja" else "en"]
        )
    return Export(
        kind=ExportLog.Kind.PARTICIPATION,
        header=_headers(PARTICIPATION_COLUMNS, language),
        rows=rows(),
        filename=_filename(ExportLog.Kind.PARTICIPATION, fiscal_year),
        title=_title(ExportLog.Kind.PARTICIPATION),
        copy_sql=copy_sql,
    )


PARTICIPATION_COUNTS = [column.key for column in PARTICIPATION_COLUMNS[4:]]
PARTICIPATION_FIELDS = (
    "fiscal_year",
    "study_group_id",
    "study_group__name",
    "study_group__parent__name",
    *PARTICIPATION_COUNTS,
)


def participation_rows_queryset(fiscal_year: int | None = None) -> QuerySet:
    """The participation rows as tuples (``PARTICIPATION_FIELDS``), in export order."""
    return participation_queryset(fiscal_year).values_list(*PARTICIPATION_FIELDS)


@functools.lru_cache(maxsize=64)
def participation_copy_sql(fiscal_year: int | None, all_label: str) -> tuple[str, tuple]:
    """The participation CSV's rows as SQL (``copy_csv``): the same cells as ``rows()`` through
    the CSV writer — the whole consortium's row named ``all_label``, counts as numbers.

    The text depends on nothing but the arguments (no data, no time), so it is built once per
    process: compiling the queryset cost half of an annual-summary download (bench/changes.md)."""
    cell = copy_csv
    columns, rest, params = cell.columns_of(participation_rows_queryset(fiscal_year))
    year, group_id, name, parent, *counts = columns
    group_name = (
        f"(CASE WHEN {group_id} IS NULL THEN {cell.sql_literal(all_label)} ELSE {name} END)"
    )
    cells = [
        cell.integer_cell(year),
        cell.era_fiscal_cell(year),
        cell.text_cell(group_name),
        cell.text_cell(parent),
        *(cell.integer_cell(count) for count in counts),
    ]
    return cell.line_sql(cells, rest), params


def funding_export(*, fiscal_year: int | None = None, language: str = "ja") -> Export:
    from projects.models import FundingKind

    labels = dict(FundingKind.choices)

    def rows() -> Iterator[list]:
        queryset = FundingSummary.objects.select_related("project", "funder").order_by(
            "fiscal_year", "project__name", "funder__name_kana", "scheme", "kind"
        )
        if fiscal_year:
            queryset = queryset.filter(fiscal_year=fiscal_year)
        for row in queryset:
            yield [
                row.fiscal_year,
                era_fiscal_label(row.fiscal_year),
                row.project.name,
                row.funder.name,
                row.scheme,
                str(labels.get(row.kind, row.kind)) if language == "ja" else row.kind,
                row.amount,
            ]

    return Export(
        kind=ExportLog.Kind.FUNDING,
        header=_headers(FUNDING_COLUMNS, language),
        rows=rows(),
        filename=_filename(ExportLog.Kind.FUNDING, fiscal_year),
        title=_title(ExportLog.Kind.FUNDING),
    )


def calls_queryset(fiscal_year: int | None = None) -> QuerySet[CallSummary]:
    """Per budget year: the whole year's row first, then the sectors in ``CallBucket`` order."""
    queryset = CallSummary.objects.all()
    if fiscal_year:
        queryset = queryset.filter(fiscal_year=fiscal_year)
    order = Case(
        *(When(sector=value, then=index) for index, value in enumerate(CallBucket.values)),
        default=len(CallBucket.values),
    )
    return queryset.annotate(sector_order=order).order_by("fiscal_year", "sector_order")


def calls_export(*, fiscal_year: int | None = None, language: str = "ja") -> Export:
    """公募 per budget year and applicant sector (``CallSummary``). 公募数 is the whole year's
    figure and is left empty on the sector rows; 採択率 is a percentage, empty without
    applications."""
    ja = language == "ja"
    labels = {value: str(label) if ja else value for value, label in CallBucket.choices}
    labels[CallBucket.ALL] = ALL_LABEL["ja" if ja else "en"]

    def rows() -> Iterator[list]:
        for row in calls_queryset(fiscal_year):
            whole = row.sector == CallBucket.ALL
            yield [
                row.fiscal_year,
                era_fiscal_label(row.fiscal_year),
                labels.get(row.sector, row.sector),
                row.calls if whole else None,
                row.applications,
                row.adoptions,
                row.adoption_rate,
                row.support_granted,
            ]

    return Export(
        kind=ExportLog.Kind.CALLS,
        header=_headers(CALLS_COLUMNS, language),
        rows=rows(),
        filename=_filename(ExportLog.Kind.CALLS, fiscal_year),
        title=_title(ExportLog.Kind.CALLS),
    )


def indicators_export(*, fiscal_year: int | None = None, language: str = "ja") -> Export:
    """実績指標 laid out as an annual report pastes it: indicators down (区分, 指標, 単位), fiscal
    years across (every year from the first with a figure; ``fiscal_year``: that one), the
    values as numbers. The same table as the dashboard's (``querysets.indicator_table``)."""
    from .querysets import indicator_table

    ja = language == "ja"
    with translation.override("ja" if ja else "en"):
        table = indicator_table(fiscal_year=fiscal_year)
        if ja:
            header = ["分類", "指標", "単位"] + [
                f"{fy}年度（{era_fiscal_label(fy)}）" for fy in table.years
            ]
        else:
            header = ["Category", "Indicator", "Unit"] + [f"FY{fy}" for fy in table.years]
        rows = [
            [str(r.indicator.group), str(r.indicator.label), str(r.indicator.unit), *r.values]
            for r in table.rows
        ]
        title = str(_("実績指標"))
    return Export(
        kind=ExportLog.Kind.INDICATORS,
        header=header,
        rows=iter(rows),
        filename=_filename(ExportLog.Kind.INDICATORS, fiscal_year),
        title=title,
    )


ATTENDANCE_FIELDS = (
    "meeting__date",
    "meeting__title",
    "meeting__kind",
    "meeting__study_group__name",
    "meeting__study_group__parent__name",
    "person__name",
    "organisation__name",
    "organisation__sector",
    "organisation__is_local",
    "status",
)


def attendance_queryset(fiscal_year: int) -> QuerySet:
    """The attendance-detail rows of one fiscal year as tuples, in export order."""
    return (
        Attendance.objects.filter(meeting__fiscal_year=fiscal_year)
        .order_by("meeting__date", "meeting_id", "pk")
        .values_list(*ATTENDANCE_FIELDS)
    )


def attendance_export(*, fiscal_year: int, language: str = "ja") -> Export:
    """One row per attendance of the fiscal year, read in chunks (flat memory)."""
    from events.models import AttendanceStatus, MeetingKind

    ja = language == "ja"
    # Labels resolved once: translating a lazy string per row is what makes big exports slow.
    kinds, statuses, sectors = (
        {value: str(label) if ja else value for value, label in choices}
        for choices in (MeetingKind.choices, AttendanceStatus.choices, Sector.choices)
    )

    locality = _local_label(language)

    def rows() -> Iterator[list]:
        queryset = attendance_queryset(fiscal_year)
        for (
            date,
            title,
            kind,
            group,
            parent,
            person,
            org,
            sector,
            local,
            status,
        ) in queryset.iterator(chunk_size=STREAM_CHUNK):
            yield [
                date,
                title,
                kinds.get(kind, kind),
                f"{parent}/{group}" if parent else (group or ""),
                person,
                org,
                sectors.get(sector, sector),
                locality[local],
                statuses.get(status, status),
            ]

    def csv_rows() -> Iterator[Cells]:
        # Cells built here, ready for the file: a function call per cell costs a third of the
        # time of a 160,000-row export (bench/changes.md). Labels never start like a formula.
        safe, risky = safe_text, FORMULA_START
        for date, title, kind, group, person, org, sector, local, status in rows():
            yield Cells(
                (
                    date.isoformat(),
                    safe(title) if title[:1] in risky else title,
                    kind,
                    safe(group) if group[:1] in risky else group,
                    safe(person) if person[:1] in risky else person,
                    safe(org) if org[:1] in risky else org,
                    sector,
                    local,
                    status,
                )
            )

    copy_sql = None
    if copy_csv.available():
        copy_sql = attendance_copy_sql(fiscal_year, kinds, sectors, locality, statuses)
    return Export(
        kind=ExportLog.Kind.ATTENDANCE,
        header=_headers(ATTENDANCE_COLUMNS, language),
        rows=rows(),
        filename=_filename(ExportLog.Kind.ATTENDANCE, fiscal_year),
        personal_data=True,
        title=_title(ExportLog.Kind.ATTENDANCE),
        csv_rows=csv_rows(),
        copy_sql=copy_sql,
    )


def attendance_copy_sql(
    fiscal_year: int,
    kinds: dict[str, str],
    sectors: dict[str, str],
    locality: dict[bool, str],
    statuses: dict[str, str],
) -> tuple[str, tuple]:
    """``csv_rows`` of ``attendance_export`` as SQL: the same cells, built by PostgreSQL."""
    cell = copy_csv
    columns, rest, params = cell.columns_of(attendance_queryset(fiscal_year))
    date, title, kind, group, parent, person, org, sector, local, status = columns
    group_path = f"(CASE WHEN {parent} <> '' THEN {parent} || '/' || {group} ELSE {group} END)"
    cells = [
        cell.date_cell(date),
        cell.text_cell(title),
        cell.label_cell(kind, kinds),
        cell.text_cell(group_path),
        cell.text_cell(person),
        cell.text_cell(org),
        cell.label_cell(sector, sectors),
        cell.bool_cell(local, locality),
        cell.label_cell(status, statuses),
    ]
    return cell.line_sql(cells, rest), params


def _local_time(value) -> str:
    return timezone.localtime(value).strftime("%H:%M") if value else ""


def _local_date(value):
    return timezone.localtime(value).date() if value else None


def _takes_registrations(meeting: Meeting, now) -> bool:
    """A scheduled meeting with a registration window that has not closed (it may not have
    opened yet: 参加申込方法 already says how to apply)."""
    if meeting.status != meeting.Status.SCHEDULED or meeting.registration_opens_at is None:
        return False
    if meeting.registration_closes_at:
        return now < meeting.registration_closes_at
    if meeting.starts_at:
        return now < meeting.starts_at
    return timezone.localdate(now) <= meeting.date


def open_data_layout(requested: str | None = None) -> str:
    """``requested`` (``?layout=``) if it names a layout, else ``KYOSO_OPEN_DATA_LAYOUT``."""
    if requested in OPEN_DATA_LAYOUTS:
        return requested
    return settings.KYOSO_OPEN_DATA_LAYOUT


def open_data_records() -> Iterator[dict[str, object]]:
    """Public meetings, oldest first, as {standard column: typed value} (dates as dates,
    coordinates as decimals, the authority code as text: it keeps its leading zero).

    Every column Kyoso holds data for is filled: the reading and English name, the place and its
    address and coordinates, the public page (``URL``, on ``KYOSO_SITE_URL``) and, while a
    scheduled meeting takes registrations, where to register (参加申込方法). Scheduled and
    cancelled meetings are listed too; 備考 says which (予定 / 開催済 / 中止, in Japanese like the
    file), 開始日時特記事項 the reason of a cancellation or that the time is not fixed yet."""
    from events.models import MeetingStatus

    with translation.override("ja"):
        statuses = {value: str(label) for value, label in MeetingStatus.choices}
        online, time_open = _("オンライン"), _("時刻未定")
        cancelled_note = _("中止（%(reason)s）")
    authority = f"{settings.KYOSO_PREFECTURE}{settings.KYOSO_HOST_CITY}"
    # The citizens' registration form (一般参加申込): anyone may register there, no account.
    page_path, register_path = pk_url("events:meeting_detail"), pk_url("events:public_register")
    now = timezone.now()
    meetings = (
        Meeting.objects.filter(visibility=Meeting.Visibility.PUBLIC)
        .select_related("study_group__parent", "project")
        .order_by("date", "starts_at", "pk")
    )
    for meeting in meetings.iterator(chunk_size=STREAM_CHUNK):
        if meeting.is_cancelled:
            note = (
                cancelled_note % {"reason": meeting.cancel_reason} if meeting.cancel_reason else ""
            )
            note = note or statuses[MeetingStatus.CANCELLED]
        else:
            scheduled = meeting.status == MeetingStatus.SCHEDULED
            note = time_open if scheduled and meeting.starts_at is None else ""
        registration = ""
        if _takes_registrations(meeting, now):
            registration = site_url(register_path(meeting.pk))
        yield {
            "全国地方公共団体コード": settings.KYOSO_AUTHORITY_CODE,
            "ID": meeting.pk,
            "地方公共団体名": authority,
            "都道府県名": settings.KYOSO_PREFECTURE,
            "市区町村名": settings.KYOSO_HOST_CITY,
            "イベント名": meeting.title,
            "イベント名_カナ": meeting.title_kana,
            "イベント名_英字": meeting.title_en,
            "開始日": meeting.date,
            "終了日": _local_date(meeting.ends_at) or meeting.date,
            "開始時間": _local_time(meeting.starts_at),
            "終了時間": _local_time(meeting.ends_at),
            "開始日時特記事項": note,
            "説明": meeting.description,
            "主催者": meeting.host_name or settings.KYOSO_SITE_NAME,
            "場所名称": meeting.venue or (online if meeting.online_url else ""),
            "住所": meeting.address,
            "緯度": meeting.latitude,
            "経度": meeting.longitude,
            "定員": meeting.capacity,
            "参加申込終了日": _local_date(meeting.registration_closes_at),
            "参加申込終了時間": _local_time(meeting.registration_closes_at),
            "参加申込方法": registration,
            "URL": site_url(page_path(meeting.pk)),
            "備考": statuses.get(meeting.status, meeting.status),
        }


def open_data_rows(layout: str = "standard") -> Iterator[list]:
    """The rows of ``open_data_records`` in the columns of ``layout`` (empty where Kyoso has no
    data: fees, contacts, access and parking)."""
    sources = [LEGACY_SOURCE.get(column, column) for column in OPEN_DATA_LAYOUTS[layout]]
    for record in open_data_records():
        yield [record.get(source) for source in sources]


def open_data_export(layout: str | None = None) -> Export:
    layout = open_data_layout(layout)
    suffix = "" if layout == "standard" else f"_{layout}"
    return Export(
        kind="open_data",
        header=list(OPEN_DATA_LAYOUTS[layout]),
        rows=open_data_rows(layout),
        filename=f"{settings.KYOSO_AUTHORITY_CODE}_event{suffix}",
        title=_("イベント一覧"),
        escape_formulas=False,
    )


# --- the annual summary's downloads --------------------------------------------------------------


@dataclass(frozen=True)
class AnnualExport:
    """One download of the annual summary. The exports page offers them in this order, the
    download view builds them and ``manage.py export_annual_summary`` writes those that are
    ``command`` ones."""

    kind: ExportLog.Kind
    build: Callable[..., Export]  # build(fiscal_year=…, language=…)
    stem: str  # the file name: ``<stem>-<fiscal year>``, ``<stem>-all`` for every year
    per_year: bool = False  # one fiscal year at a time (the attendance detail)
    stream: bool = False  # streamed to the browser as it is read (the attendance detail)
    command: bool = True  # written by ``manage.py export_annual_summary`` too

    @property
    def label(self) -> str | Promise:
        return self.kind.label


ANNUAL_EXPORTS: dict[str, AnnualExport] = {
    export.kind.value: export
    for export in (
        AnnualExport(ExportLog.Kind.PARTICIPATION, participation_export, "participation"),
        AnnualExport(ExportLog.Kind.FUNDING, funding_export, "funding"),
        AnnualExport(ExportLog.Kind.CALLS, calls_export, "calls"),
        AnnualExport(ExportLog.Kind.INDICATORS, indicators_export, "indicators"),
        AnnualExport(
            ExportLog.Kind.ATTENDANCE,
            attendance_export,
            "attendance",
            per_year=True,
            stream=True,
            command=False,
        ),
    )
}
COMMAND_EXPORTS = [kind for kind, export in ANNUAL_EXPORTS.items() if export.command]


def annual_export(kind: str, *, fiscal_year: int | None, language: str = "ja") -> Export:
    """The annual-summary export ``kind`` (a key of ``ANNUAL_EXPORTS``, else KeyError)."""
    return ANNUAL_EXPORTS[kind].build(fiscal_year=fiscal_year, language=language)
