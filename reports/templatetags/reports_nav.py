"""``{% reports_roles as r %}``: the role flags the reports menu needs (same rules as the views)."""

from django import template

from members import roles

register = template.Library()


@register.simple_tag(takes_context=True)
def reports_roles(context) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"secretariat": False, "administrator": False}
    return {
        "secretariat": roles.is_secretariat(user),
        "administrator": roles.is_administrator(user),
    }
