"""Template helpers of the projects app: yen formatting."""

from django import template

register = template.Library()


@register.filter
def yen(amount) -> str:
    """1,000,000 (yen); empty for an unknown amount."""
    return "" if amount is None else f"{amount:,}"
