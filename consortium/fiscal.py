"""Fiscal years (年度, April–March) and Japanese eras (和暦): the one helper used everywhere.

A fiscal year is named by the western year it starts in: FY2018 runs 2018-04-01 … 2019-03-31.
Era labels follow Japanese government practice: a fiscal year carries the era in force at the end
of the calendar year it starts in, so FY2019 is 令和元年度 (documents written before the change
call it 平成31年度, see ``era_fiscal_label(2019, at_start=True)``), and FY1988 is 昭和63年度.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import get_language


@dataclass(frozen=True)
class Era:
    name: str
    initial: str
    romaji: str
    start: dt.date


# Newest first, so the first era whose start is on or before a date is the one in force.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", "Reiwa", dt.date(2019, 5, 1)),
    Era("平成", "H", "Heisei", dt.date(1989, 1, 8)),
    Era("昭和", "S", "Showa", dt.date(1926, 12, 25)),
    Era("大正", "T", "Taisho", dt.date(1912, 7, 30)),
    Era("明治", "M", "Meiji", dt.date(1868, 10, 23)),
)


class EraYear(NamedTuple):
    era: Era
    year: int

    @property
    def year_label(self) -> str:
        return "元" if self.year == 1 else str(self.year)

    def __str__(self) -> str:
        return f"{self.era.name}{self.year_label}年"


def as_local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def era_of(value: dt.date | dt.datetime) -> EraYear:
    """The era and era year in force on a date (1989-01-08 → 平成元年)."""
    day = as_local_date(value)
    for era in ERAS:
        if day >= era.start:
            return EraYear(era, day.year - era.start.year + 1)
    raise ValueError(f"{day} is before the Meiji era")


def fiscal_year_of(value: dt.date | dt.datetime) -> int:
    """The fiscal year a date falls in: 2019-03-31 → 2018, 2019-04-01 → 2019."""
    day = as_local_date(value)
    return day.year if day.month >= 4 else day.year - 1


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def fiscal_year_start(fy: int) -> dt.date:
    return dt.date(fy, 4, 1)


def fiscal_year_end(fy: int) -> dt.date:
    """The last day of the fiscal year (inclusive)."""
    return dt.date(fy + 1, 3, 31)


def fiscal_year_bounds(fy: int) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes [start, next start) in the site's time zone, for range queries."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(fiscal_year_start(fy), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(fiscal_year_start(fy + 1), dt.time.min, tzinfo=tz)
    return start, end


def era_of_fiscal_year(fy: int, *, at_start: bool = False) -> EraYear:
    """The era year naming a fiscal year; ``at_start`` gives the era on April 1 instead."""
    return era_of(fiscal_year_start(fy) if at_start else dt.date(fy, 12, 31))


def era_fiscal_label(fy: int, *, at_start: bool = False) -> str:
    """平成30年度, 令和元年度 (or 平成31年度 with ``at_start``)."""
    era_year = era_of_fiscal_year(fy, at_start=at_start)
    return f"{era_year.era.name}{era_year.year_label}年度"


def era_fiscal_short(fy: int) -> str:
    """H30, R1: the short form used in tables of the seed documents."""
    era_year = era_of_fiscal_year(fy)
    return f"{era_year.era.initial}{era_year.year}"


def fiscal_label(fy: int, language: str | None = None) -> str:
    """`2018年度（平成30年度）` in Japanese, `FY2018` in English."""
    language = (language or get_language() or "ja").split("-")[0]
    if language == "ja":
        return f"{fy}年度（{era_fiscal_label(fy)}）"
    return f"FY{fy}"


def fiscal_year_choices(first: int, last: int) -> list[tuple[int, str]]:
    return [(fy, fiscal_label(fy)) for fy in range(last, first - 1, -1)]


WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_ja(value: dt.date | dt.datetime | None) -> str:
    """令和元年5月1日（水）: the era's year and the weekday; with ``KYOSO_DATE_WESTERN_YEAR`` the
    western year follows the era's, 令和元年（2019年）5月1日（水）."""
    from django.conf import settings

    if value is None:
        return ""
    day = as_local_date(value)
    western = f"（{day.year}年）" if settings.KYOSO_DATE_WESTERN_YEAR else ""
    return f"{era_of(day)}{western}{day.month}月{day.day}日（{WEEKDAYS_JA[day.weekday()]}）"


def date_en(value: dt.date | dt.datetime | None) -> str:
    """Wed 1 May 2019 (the same in every locale of the server)."""
    if value is None:
        return ""
    day = as_local_date(value)
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def date_text(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """A day as people read it in the language: ``date_ja`` or ``date_en``."""
    language = (language or get_language() or "ja").split("-")[0]
    return date_ja(value) if language == "ja" else date_en(value)


def when_text(
    day: dt.date,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    language: str | None = None,
) -> str:
    """When something happens, as every page, e-mail and feed writes it:
    令和8年12月11日（金）14:00〜16:00 in Japanese, Fri 11 Dec 2026, 14:00–16:00 in English (local
    times; the day alone when there is no start time; no end without a start)."""
    language = (language or get_language() or "ja").split("-")[0]
    text = date_text(day, language)
    times = times_text(starts_at, ends_at, language)
    if not times:
        return text
    return f"{text}{times}" if language == "ja" else f"{text}, {times}"


def times_text(
    starts_at: dt.datetime | None, ends_at: dt.datetime | None = None, language: str | None = None
) -> str:
    """A meeting's times alone, local: 14:00〜16:00 (14:00–16:00 in English); empty without a
    start, the start alone without an end."""
    if starts_at is None:
        return ""
    language = (language or get_language() or "ja").split("-")[0]
    times = f"{timezone.localtime(starts_at):%H:%M}"
    if ends_at is not None:
        dash = "〜" if language == "ja" else "–"
        times += f"{dash}{timezone.localtime(ends_at):%H:%M}"
    return times


def moment_text(
    value: dt.datetime | None, language: str | None = None, *, seconds: bool = False
) -> str:
    """A point in time (a roll-up, a change in a history): 令和8年12月3日（木）06:45 in Japanese,
    Thu 3 Dec 2026, 06:45 in English, local time; ``seconds`` adds them (06:45:09)."""
    if value is None:
        return ""
    language = (language or get_language() or "ja").split("-")[0]
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    if language == "ja":
        return f"{date_ja(local)}{clock}"
    return f"{date_en(local)}, {clock}"


_ERA_BY_TOKEN = {era.name: era for era in ERAS} | {era.initial: era for era in ERAS}
_ERA_DATE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*(?P<year>元|\d{1,2})\s*"
    r"(?:年|[./-])\s*(?P<month>\d{1,2})\s*(?:月|[./-])\s*(?P<day>\d{1,2})\s*日?$"
)
_WESTERN_DATE = re.compile(
    r"^(?P<year>\d{4})\s*(?:年|[./-])\s*(?P<month>\d{1,2})\s*(?:月|[./-])\s*(?P<day>\d{1,2})\s*日?"
    r"(?:[ T]0{1,2}:0{2}(?::0{2})?)?$"
)


def parse_date(text: str | dt.date | dt.datetime) -> dt.date:
    """Parse 2019-05-01, 2019/5/1, 2019年5月1日, 令和元年5月1日, R1.5.1 or H31/4/30.

    Full-width digits are accepted. An era date must exist in that era (平成32年 is rejected, as
    is 令和元年4月30日, a day still in 平成). Raises ValueError with a message for people.
    """
    if isinstance(text, dt.datetime):
        return as_local_date(text)
    if isinstance(text, dt.date):
        return text
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    match = _WESTERN_DATE.match(cleaned)
    if match:
        return _build_date(int(match["year"]), int(match["month"]), int(match["day"]), text)
    match = _ERA_DATE.match(cleaned[:1].upper() + cleaned[1:])
    if match:
        era = _ERA_BY_TOKEN[match["era"]]
        era_year = 1 if match["year"] == "元" else int(match["year"])
        if era_year < 1:
            raise ValueError(f"「{text}」は日付として読めません")
        day = _build_date(
            era.start.year + era_year - 1, int(match["month"]), int(match["day"]), text
        )
        if era_of(day).era != era:
            raise ValueError(f"「{text}」は{era.name}の日付ではありません")
        return day
    raise ValueError(
        f"「{text}」は日付として読めません（例: 2019-05-01, 2019/5/1, 令和元年5月1日）"
    )


def _build_date(year: int, month: int, day: int, original: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"「{original}」は存在しない日付です") from None
