"""``{% kyoso_roles user as r %}``: the role flags the navigation needs, in one place."""

from django import template

from members import roles

register = template.Library()


@register.simple_tag
def kyoso_roles(user) -> dict:
    return {
        "person": roles.person_of(user),
        "secretariat": roles.is_secretariat(user),
        "administrator": roles.is_administrator(user),
    }
