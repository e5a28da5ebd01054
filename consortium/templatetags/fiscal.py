"""Template filters for fiscal years and eras: {{ fy|fiscal_label }}, {{ day|fiscal_year }}."""

from django import template
from django.utils.formats import date_format
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
    """2019年5月1日（令和元年5月1日） in Japanese; the locale's date format in English."""
    if value is None or value == "":
        return ""
    if (get_language() or "ja").startswith("ja"):
        return fiscal.date_ja(value)
    return date_format(fiscal.as_local_date(value), "DATE_FORMAT")


@register.filter
def era(value) -> str:
    return "" if value is None else str(fiscal.era_of(value))
