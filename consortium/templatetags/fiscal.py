"""Template filters for fiscal years and eras: {{ fy|fiscal_label }}, {{ day|fiscal_year }}."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from consortium import fiscal

register = template.Library()


@register.filter
def fiscal_label(fy: int | None) -> str:
    return "" if fy is None else fiscal.fiscal_label(int(fy))


@register.filter
def era_fiscal_label(fy: int | None) -> str:
    return "" if fy is None else fiscal.era_fiscal_label(int(fy))


@register.filter
def fiscal_year(value) -> int | None:
    return None if value is None else fiscal.fiscal_year_of(value)


@register.filter
def date_ja(value) -> str:
    """令和元年5月1日（水） in Japanese, Wed 1 May 2019 in English (``fiscal.date_text``)."""
    if value is None or value == "":
        return ""
    return fiscal.date_text(value)


@register.filter
def when(meeting) -> str:
    """A meeting's day and times: 令和8年12月11日（金）14:00〜16:00 (``fiscal.when_text``)."""
    return fiscal.when_text(meeting.date, meeting.starts_at, meeting.ends_at)


@register.filter
def moment(value, arg: str = "") -> str:
    """A point in time: 令和8年12月3日（木）06:45 / Thu 3 Dec 2026, 06:45 (``fiscal.moment_text``);
    ``|moment:"seconds"`` adds the seconds."""
    if value is None or value == "":
        return ""
    return fiscal.moment_text(value, seconds=arg == "seconds")


@register.filter
def fiscal_label_lines(fy: int | None) -> str:
    """A fiscal year for a narrow column: 2026年度 above 令和8年度 (FY2026 in English), each
    line kept whole."""
    if fy is None:
        return ""
    if not (get_language() or "ja").startswith("ja"):
        return fiscal.fiscal_label(int(fy))
    return format_html(
        '<span class="nowrap">{}年度</span><br><span class="muted nowrap">{}</span>',
        int(fy),
        fiscal.era_fiscal_label(int(fy)),
    )


@register.filter
def when_lines(meeting) -> str:
    """A meeting's day above its times, each line kept whole (the meeting list's first column)."""
    day = fiscal.date_text(meeting.date)
    times = fiscal.times_text(meeting.starts_at, meeting.ends_at)
    if not times:
        return format_html('<span class="nowrap">{}</span>', day)
    return format_html(
        '<span class="nowrap">{}</span><br><span class="nowrap">{}</span>', day, times
    )


@register.filter
def era(value) -> str:
    return "" if value is None else str(fiscal.era_of(value))
