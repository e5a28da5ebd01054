"""Template filters for fiscal years and eras: {{ fy|fiscal_label }}, {{ day|fiscal_year }}."""

from django import template

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
def era(value) -> str:
    return "" if value is None else str(fiscal.era_of(value))
