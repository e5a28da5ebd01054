"""Template helpers of the projects app: role checks for the navigation, yen formatting."""

from django import template

from members import roles

register = template.Library()


@register.filter
def is_secretariat(user) -> bool:
    return roles.is_secretariat(user)


@register.filter
def has_person(user) -> bool:
    return roles.is_secretariat(user) or roles.person_of(user) is not None


@register.filter
def yen(amount) -> str:
    """1,000,000 (yen); empty for an unknown amount."""
    return "" if amount is None else f"{amount:,}"
